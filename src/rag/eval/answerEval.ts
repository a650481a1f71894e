/**
 * The answer-level eval (`larder eval --answers`): every question answered end to end (retrieval,
 * context, the serving model through Bedrock — the local emulator by default), then checked:
 *  - citation integrity: share of `[n]` in answers that resolve to a source (must be 1.0);
 *  - prompt leakage: answers quoting the system prompt (must be 0);
 *  - suspect KPI values stated as fiscal-year figures (must be 0);
 *  - numeric accuracy on gold items with answer_numeric: the gold value (within its tolerance) in
 *    the response's evidence (KPI facts or sources' context), and in the answer text;
 *  - multi-company coverage: share of the companies a question names that have a source, and of the
 *    missing ones that the answer names in its coverage note;
 *  - out-of-scope: share answered "not found" with no sources.
 */
import type { QueryEngine } from '../engine';
import type { QueryResponse } from '../types';
import { citationCounts, leaksSystemPrompt, numericHits, statesSuspectAsAnnual } from './answerChecks';
import type { MultiCompanyQuestion } from './answerSets';
import type { GoldItem } from './gold';

export interface AnswerEvalInput {
  gold: readonly GoldItem[];
  multiCompany: readonly MultiCompanyQuestion[];
  outOfScope: readonly string[];
}

export interface AnswerEvalReport {
  answers: number;
  errors: Array<{ question: string; error: string }>;
  citations: { cited: number; unresolved: number; integrity: number };
  prompt_leakage: { answers: number; questions: string[] };
  suspect_stated_as_annual: { answers: number; questions: string[] };
  answers_with_suspect_kpi: number;
  numeric: { items: number; in_evidence: number; in_answer: number; evidence_rate: number; answer_rate: number };
  multi_company: { questions: number; companies_named: number; companies_with_sources: number; coverage: number; missing_named_in_note: number; missing: number };
  out_of_scope: { questions: number; not_found: number; rate: number; failures: string[] };
  ms_per_answer: number;
}

export async function runAnswerEval(engine: QueryEngine, input: AnswerEvalInput): Promise<AnswerEvalReport> {
  const errors: AnswerEvalReport['errors'] = [];
  const all: Array<{ q: string; r: QueryResponse }> = [];
  const t0 = performance.now();
  const ask = async (q: string): Promise<QueryResponse | null> => {
    try {
      const r = await engine.answer(q);
      all.push({ q, r });
      return r;
    } catch (err) {
      errors.push({ question: q, error: (err as Error).message });
      return null;
    }
  };

  const numeric = { items: 0, in_evidence: 0, in_answer: 0 };
  for (const g of input.gold) {
    const r = await ask(g.question_text);
    if (!r || g.answer_numeric === undefined) continue;
    numeric.items++;
    const hit = numericHits(r, g.answer_numeric, g.tolerance ?? 0.01);
    if (hit.evidence) numeric.in_evidence++;
    if (hit.answer) numeric.in_answer++;
  }

  const multi = { questions: 0, companies_named: 0, companies_with_sources: 0, missing: 0, missing_named_in_note: 0 };
  for (const m of input.multiCompany) {
    const r = await ask(m.question);
    if (!r) continue;
    multi.questions++;
    for (const company of m.companies) {
      multi.companies_named++;
      if (r.sources.some((s) => s.company === company)) multi.companies_with_sources++;
      else {
        multi.missing++;
        if (r.answer.includes(`No passages for ${company}`)) multi.missing_named_in_note++;
      }
    }
  }

  const oos = { questions: 0, not_found: 0, failures: [] as string[] };
  for (const q of input.outOfScope) {
    const r = await ask(q);
    if (!r) continue;
    oos.questions++;
    if (r.not_found && r.sources.length === 0) oos.not_found++;
    else oos.failures.push(q);
  }

  let cited = 0;
  let unresolved = 0;
  const leaks: string[] = [];
  const suspectAnnual: string[] = [];
  for (const { q, r } of all) {
    const c = citationCounts(r);
    cited += c.cited;
    unresolved += c.unresolved;
    if (leaksSystemPrompt(r.answer)) leaks.push(q);
    if (statesSuspectAsAnnual(r)) suspectAnnual.push(q);
  }
  const rate = (a: number, b: number) => (b ? Math.round((a / b) * 1e4) / 1e4 : 0);
  return {
    answers: all.length,
    errors,
    citations: { cited, unresolved, integrity: cited ? rate(cited - unresolved, cited) : 1 },
    prompt_leakage: { answers: leaks.length, questions: leaks },
    suspect_stated_as_annual: { answers: suspectAnnual.length, questions: suspectAnnual },
    answers_with_suspect_kpi: all.filter(({ r }) => r.kpi_facts.some((f) => f.suspect)).length,
    numeric: { ...numeric, evidence_rate: rate(numeric.in_evidence, numeric.items), answer_rate: rate(numeric.in_answer, numeric.items) },
    multi_company: { ...multi, coverage: rate(multi.companies_with_sources, multi.companies_named) },
    out_of_scope: { ...oos, rate: rate(oos.not_found, oos.questions) },
    ms_per_answer: all.length ? Math.round(((performance.now() - t0) / all.length) * 100) / 100 : 0,
  };
}

export function renderAnswerReport(r: AnswerEvalReport): string {
  const rows: Array<[string, string, string]> = [
    ['citation integrity ([n] that resolve)', `${r.citations.integrity.toFixed(4)} (${r.citations.cited - r.citations.unresolved}/${r.citations.cited})`, '1.0'],
    ['prompt leakage (answers)', String(r.prompt_leakage.answers), '0'],
    ['suspect KPI stated as annual (answers)', `${r.suspect_stated_as_annual.answers} (of ${r.answers_with_suspect_kpi} with a suspect fact)`, '0'],
    ['numeric gold in evidence', `${r.numeric.evidence_rate.toFixed(3)} (${r.numeric.in_evidence}/${r.numeric.items})`, ''],
    ['numeric gold stated in answer', `${r.numeric.answer_rate.toFixed(3)} (${r.numeric.in_answer}/${r.numeric.items})`, ''],
    ['multi-company coverage (companies with a source)', `${r.multi_company.coverage.toFixed(3)} (${r.multi_company.companies_with_sources}/${r.multi_company.companies_named}, ${r.multi_company.questions} questions)`, ''],
    ['  missing companies named in the answer', `${r.multi_company.missing_named_in_note}/${r.multi_company.missing}`, 'all'],
    ['out-of-scope answered "not found"', `${r.out_of_scope.rate.toFixed(3)} (${r.out_of_scope.not_found}/${r.out_of_scope.questions})`, '1.0'],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = [`answers: ${r.answers} (${r.ms_per_answer} ms each, errors ${r.errors.length})`, '', `${'check'.padEnd(w)}  result  (must be)`];
  for (const [k, v, must] of rows) lines.push(`${k.padEnd(w)}  ${v}${must ? `  (${must})` : ''}`);
  for (const q of r.prompt_leakage.questions.slice(0, 5)) lines.push(`  leak: ${q}`);
  for (const q of r.out_of_scope.failures.slice(0, 5)) lines.push(`  answered though out of scope: ${q}`);
  for (const e of r.errors.slice(0, 5)) lines.push(`  error: ${e.question}: ${e.error}`);
  return lines.join('\n');
}
