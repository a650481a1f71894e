/**
 * Filter tree → row set over the sentences table, BEFORE any scoring: the vector and lexical
 * searches then touch only those rows, so a filtered question never comes back short.
 *
 * Each field gets an inverted index (value → ascending rows), built on first use and kept: $eq/$in
 * are unions of postings, ranges are unions over the (few) distinct values in range, $and intersects,
 * $or unites. Cost is proportional to the rows selected, not to the table. $ne/$nin complement.
 */
import type { SentencesTable } from '../../loader/types';
import { parseFilter, type FilterField, type FilterNode, type FilterValue } from './expression';
import { complement, intersect, union, type RowSet } from './rowSet';

type Postings = Map<FilterValue, Int32Array>;

export class ColumnIndex {
  private readonly postings = new Map<FilterField, Postings>();

  constructor(readonly table: SentencesTable) {}

  /** value → rows for one field (built once). */
  field(field: FilterField): Postings {
    let p = this.postings.get(field);
    if (!p) {
      p = buildPostings(this.column(field), this.table.count);
      this.postings.set(field, p);
    }
    return p;
  }

  column(field: FilterField): ArrayLike<FilterValue> {
    return this.table[field] as ArrayLike<FilterValue>;
  }
}

function buildPostings(values: ArrayLike<FilterValue>, count: number): Postings {
  const lists = new Map<FilterValue, number[]>();
  for (let row = 0; row < count; row++) {
    const v = values[row];
    let l = lists.get(v);
    if (!l) lists.set(v, (l = []));
    l.push(row);
  }
  const out: Postings = new Map();
  for (const [v, rows] of lists) out.set(v, Int32Array.from(rows));
  return out;
}

/** Compiles an expression (validated here) to the rows it selects; null expression → null (all rows). */
export function compileFilter(expr: unknown, columns: ColumnIndex): RowSet {
  if (expr === null || expr === undefined) return null;
  return evaluate(parseFilter(expr), columns);
}

function evaluate(node: FilterNode, columns: ColumnIndex): Int32Array {
  switch (node.kind) {
    case 'and': {
      const parts = node.children.map((c) => evaluate(c, columns)).sort((a, b) => a.length - b.length);
      return parts.reduce((acc, p) => intersect(acc, p));
    }
    case 'or':
      return union(node.children.map((c) => evaluate(c, columns)));
    case 'field':
      return evaluateField(node, columns);
  }
}

function evaluateField(node: Extract<FilterNode, { kind: 'field' }>, columns: ColumnIndex): Int32Array {
  const count = columns.table.count;
  if (node.field === 'sentenceID') return evaluateIds(node, columns);
  const postings = columns.field(node.field);
  const pick = (values: FilterValue[]) => union(values.map((v) => postings.get(v)).filter((p): p is Int32Array => p !== undefined));
  const v = node.value;
  switch (node.op) {
    case '$eq':
      return pick([v as FilterValue]);
    case '$in':
      return pick(v as FilterValue[]);
    case '$ne':
      return complement(pick([v as FilterValue]), count);
    case '$nin':
      return complement(pick(v as FilterValue[]), count);
    default: {
      const bound = v as number;
      const test = { $gt: (x: number) => x > bound, $gte: (x: number) => x >= bound, $lt: (x: number) => x < bound, $lte: (x: number) => x <= bound }[node.op];
      return pick([...postings.keys()].filter((k) => test(k as number)));
    }
  }
}

function evaluateIds(node: Extract<FilterNode, { kind: 'field' }>, columns: ColumnIndex): Int32Array {
  const ids = Array.isArray(node.value) ? node.value : [node.value];
  const rows = ids.map((id) => columns.table.rowById.get(String(id))).filter((r): r is number => r !== undefined);
  const set = union([Int32Array.from(rows).sort()]);
  return node.op === '$ne' || node.op === '$nin' ? complement(set, columns.table.count) : set;
}
