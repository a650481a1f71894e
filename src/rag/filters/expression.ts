/**
 * Metadata filters in the expression form of S3 Vectors' QueryVectors `filter` (itself MongoDB-like),
 * so users of that API feel at home:
 *
 *   {$and: [{cik_int: {$in: [320193]}}, {report_year: {$gte: 2018, $lte: 2020}}, {section_item: {$eq: 'ITEM_7'}}]}
 *
 * Operators: $eq $ne $in $nin $gt $gte $lt $lte on a field, $and / $or over expressions. A bare value
 * means $eq; several fields in one object mean $and. Fields are the sentences table's metadata columns.
 */
import { ValidationError } from '../../errors';

export type FilterValue = string | number;
export type FieldCondition = FilterValue | { $eq?: FilterValue; $ne?: FilterValue; $in?: FilterValue[]; $nin?: FilterValue[]; $gt?: number; $gte?: number; $lt?: number; $lte?: number };
export type FilterExpression = { $and: FilterExpression[] } | { $or: FilterExpression[] } | { [field: string]: FieldCondition };

export const NUMERIC_FIELDS = ['cik_int', 'report_year', 'sentence_pos'] as const;
export const STRING_FIELDS = ['sentenceID', 'docID', 'ticker', 'company_name', 'section_item', 'section_name'] as const;
export type FilterField = (typeof NUMERIC_FIELDS)[number] | (typeof STRING_FIELDS)[number];
export const FILTER_FIELDS: readonly FilterField[] = [...NUMERIC_FIELDS, ...STRING_FIELDS];

const FIELD_OPERATORS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte'] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** A validated expression as a tree. */
export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'field'; field: FilterField; op: FieldOperator; value: FilterValue | FilterValue[] };

/** Validates an expression (from a request or from entities) and returns its tree; 400s say where. */
export function parseFilter(expr: unknown, path = 'filter'): FilterNode {
  if (typeof expr !== 'object' || expr === null || Array.isArray(expr)) {
    throw new ValidationError(`${path}: expected an object like {"report_year": {"$gte": 2018}}, found ${describe(expr)}`);
  }
  const entries = Object.entries(expr as Record<string, unknown>);
  if (entries.length === 0) throw new ValidationError(`${path}: expected at least one field or $and/$or, found {}`);
  const nodes = entries.map(([key, value]): FilterNode => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw new ValidationError(`${path}.${key}: expected a non-empty array of expressions, found ${describe(value)}`);
      return { kind: key === '$and' ? 'and' : 'or', children: value.map((v, i) => parseFilter(v, `${path}.${key}[${i}]`)) };
    }
    if (key.startsWith('$')) throw new ValidationError(`${path}: unknown operator ${key} at the top of an expression (use $and or $or)`);
    if (!(FILTER_FIELDS as readonly string[]).includes(key)) {
      throw new ValidationError(`${path}: unknown field "${key}" (filterable: ${FILTER_FIELDS.join(', ')})`);
    }
    return parseCondition(key as FilterField, value, `${path}.${key}`);
  });
  return nodes.length === 1 ? nodes[0] : { kind: 'and', children: nodes };
}

function parseCondition(field: FilterField, cond: unknown, path: string): FilterNode {
  const numeric = (NUMERIC_FIELDS as readonly string[]).includes(field);
  const scalar = (v: unknown, where: string): FilterValue => {
    if (numeric ? typeof v === 'number' && Number.isFinite(v) : typeof v === 'string') return v as FilterValue;
    throw new ValidationError(`${where}: expected a ${numeric ? 'number' : 'string'}, found ${describe(v)}`);
  };
  if (typeof cond !== 'object' || cond === null) return { kind: 'field', field, op: '$eq', value: scalar(cond, path) };
  if (Array.isArray(cond)) throw new ValidationError(`${path}: expected a value or an operator object, found an array (use {"$in": [...]})`);
  const ops = Object.entries(cond as Record<string, unknown>);
  if (ops.length === 0) throw new ValidationError(`${path}: expected an operator ($eq, $in, $gte, …), found {}`);
  const nodes = ops.map(([op, v]): FilterNode => {
    if (!(FIELD_OPERATORS as readonly string[]).includes(op)) throw new ValidationError(`${path}: unknown operator ${op} (supported: ${FIELD_OPERATORS.join(', ')})`);
    if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v)) throw new ValidationError(`${path}.${op}: expected an array, found ${describe(v)}`);
      return { kind: 'field', field, op: op as FieldOperator, value: v.map((x, i) => scalar(x, `${path}.${op}[${i}]`)) };
    }
    if (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') {
      if (!numeric) throw new ValidationError(`${path}.${op}: range operators apply to numeric fields (${NUMERIC_FIELDS.join(', ')})`);
    }
    return { kind: 'field', field, op: op as FieldOperator, value: scalar(v, `${path}.${op}`) };
  });
  return nodes.length === 1 ? nodes[0] : { kind: 'and', children: nodes };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
