/**
 * Entities → a filter expression (S3 Vectors form). Companies restrict cik_int, years restrict
 * report_year (a list, or bounds for open ranges), sections restrict section_item. Metrics do not
 * filter: they select KPI facts. Nothing found → null (search everything).
 */
import type { QuestionEntities } from '../entities';
import type { FilterExpression } from './expression';

export function filterFromEntities(entities: QuestionEntities): FilterExpression | null {
  const clauses: FilterExpression[] = [];
  if (entities.companies.length) clauses.push({ cik_int: { $in: entities.companies.map((c) => c.cik_int) } });
  const y = entities.years;
  const open = (y.gte !== undefined) !== (y.lte !== undefined);
  if (open) {
    const range: FilterExpression = { report_year: { ...(y.gte !== undefined ? { $gte: y.gte } : {}), ...(y.lte !== undefined ? { $lte: y.lte } : {}) } };
    const outside = y.years.filter((v) => (y.gte !== undefined && v < y.gte) || (y.lte !== undefined && v > y.lte));
    clauses.push(outside.length ? { $or: [range, { report_year: { $in: outside } }] } : range);
  } else if (y.years.length) {
    clauses.push({ report_year: { $in: y.years } });
  }
  if (entities.sections.length) clauses.push({ section_item: { $in: entities.sections.map((s) => s.section_item) } });
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}
