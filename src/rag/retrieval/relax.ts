/**
 * The relaxation ladder: what to search when the question's filter leaves fewer than top_k hits.
 *
 *   none          the filter as built from the question (company ∧ years ∧ sections)
 *   drop_year     without its year clause (same company, same sections, any year)
 *   drop_section  without its year and section clauses (same company, anywhere in its filings)
 *   global        no filter at all (other companies) — only if retrieval.global_pass is on
 *
 * Rungs that would search the same rows as the rung before are skipped (a filter without a year
 * clause has no drop_year rung), and a rung whose filter becomes empty is the global rung. Clauses
 * are the top-level $and members; a clause is a "year" clause if it references report_year only,
 * a "section" clause if it references section_item / section_name only. Every other clause (the
 * company, docID, …) stays until the global rung.
 */
import type { FilterExpression } from '../filters/expression';

export const RELAXATIONS = ['none', 'drop_year', 'drop_section', 'global'] as const;
export type Relaxation = (typeof RELAXATIONS)[number];

export interface Rung {
  relaxation: Relaxation;
  filter: FilterExpression | null;
}

const YEAR_FIELDS = new Set(['report_year']);
const SECTION_FIELDS = new Set(['section_item', 'section_name']);

export function relaxationLadder(filter: FilterExpression | null, options: { global: boolean }): Rung[] {
  const ladder: Rung[] = [{ relaxation: 'none', filter }];
  if (filter === null) return ladder;
  let clauses = topLevelClauses(filter);
  const drop = (relaxation: Relaxation, fields: Set<string>) => {
    const kept = clauses.filter((c) => !onlyFields(c, fields));
    if (kept.length === clauses.length) return;
    clauses = kept;
    if (kept.length) ladder.push({ relaxation, filter: kept.length === 1 ? kept[0] : { $and: kept } });
  };
  drop('drop_year', YEAR_FIELDS);
  drop('drop_section', SECTION_FIELDS);
  if (options.global) ladder.push({ relaxation: 'global', filter: null });
  return ladder;
}

function topLevelClauses(filter: FilterExpression): FilterExpression[] {
  const keys = Object.keys(filter);
  if (keys.length === 1 && keys[0] === '$and') return (filter as { $and: FilterExpression[] }).$and;
  // Several fields in one object are an implicit $and.
  if (keys.length > 1) return keys.map((k) => ({ [k]: (filter as Record<string, unknown>)[k] }) as FilterExpression);
  return [filter];
}

/** True when every field the clause references is in `fields` (and it references at least one). */
function onlyFields(clause: FilterExpression, fields: Set<string>): boolean {
  const used = new Set<string>();
  collectFields(clause, used);
  return used.size > 0 && [...used].every((f) => fields.has(f));
}

function collectFields(expr: unknown, into: Set<string>): void {
  if (Array.isArray(expr)) {
    for (const e of expr) collectFields(e, into);
    return;
  }
  if (typeof expr !== 'object' || expr === null) return;
  for (const [k, v] of Object.entries(expr)) {
    if (k === '$and' || k === '$or') collectFields(v, into);
    else if (!k.startsWith('$')) into.add(k);
  }
}
