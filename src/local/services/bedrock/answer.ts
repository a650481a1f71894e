/**
 * The extractive answerer behind Converse: quotes the context sentences that best answer the
 * question, each with its citation, and nothing else.
 *
 * Evidence is the user messages' context only (promptParts.ts): never the system prompt (it holds
 * instructions — quoting "You are a financial analyst…" as a source is the failure this guards
 * against), never the question itself, and when the context has block headers, never the preamble
 * before the first block ("Use only the context below." is not evidence either). Sentences are
 * scored by BM25 over the question's content terms (numbers count extra: financial questions hinge
 * on years and amounts) plus a bonus for shared bigrams. A sentence is relevant only if the terms it
 * shares with the question — its own or its block header's ("WMT | Walmart Inc. | FY2018") — are
 * more than MIN_COVERAGE of the question's content terms, and — when the question names terms its
 * header does not carry — the sentence has at least one of those. Up to MAX_QUOTES are quoted: the best, then
 * runners-up close to it, never the same text twice (a boilerplate sentence repeated in the FY2022 and
 * FY2023 filings is one quote), and when the question names several companies or years that
 * different blocks' headers carry, the best sentence for each of them. A numbered block "[n] …" is
 * cited as [n]; other headers as (source: header). Pure and deterministic.
 */
import { splitContext, splitQuestion, type PromptSentence } from './promptParts';
import { contentTerms } from './tokens';

export { splitContext, splitQuestion } from './promptParts';

export interface AnswerInput {
  /** System prompt text blocks, joined. Instructions: read for nothing, quoted never. */
  system: string;
  /** Text of every user message, oldest first (assistant turns are not context: they are our own words). */
  userTexts: string[];
  /** Text of document content blocks (context only, never the question). */
  documents?: string[];
}

export interface ContextSentence {
  text: string;
  /** The header of the block the sentence came from, if the context had one. */
  header?: string;
  score: number;
}

export interface ExtractiveAnswer {
  text: string;
  question: string;
  quoted: ContextSentence[];
}

export const NO_CONTEXT_ANSWER = 'I could not find any context in the request to answer from.';
export const NO_MATCH_ANSWER = 'The provided context does not contain information that answers this question.';

const MAX_QUOTES = 4;
/** A runner-up sentence is quoted only if it scores at least this share of the best one. */
const RUNNER_UP_SHARE = 0.6;
/**
 * A sentence counts as relevant only if it and its header share MORE than this share of the
 * question's content terms: "meaning of life" against "our life insurance business" (1 of 2) is not
 * an answer; "loss on extinguishment of debt" against a sentence about that loss is.
 */
const MIN_COVERAGE = 0.5;
/** Words that shape a question but name nothing to find ("doe" is how tokens.ts stems "does"): not counted for coverage. */
const QUESTION_WORDS: ReadonlySet<string> = new Set(
  'doe many much key major main describe described highlight highlighted report reported tell explain compare comparison discuss mention mentioned say said give list show company companies filing 10 k'.split(' '),
);
/**
 * Two sentences whose term sets overlap this much (shared ÷ the smaller set) say the same thing:
 * quote one. Containment, not Jaccard, so a boilerplate sentence and its longer next-year version count.
 */
const DUPLICATE_OVERLAP = 0.8;
const MAX_QUOTES_PER_BLOCK = 2;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const NUMBER_BOOST = 1.5;
const BIGRAM_BONUS = 0.5;

export function answerFromContext(input: AnswerInput): ExtractiveAnswer {
  const last = input.userTexts.at(-1) ?? '';
  const { question, context } = splitQuestion(last);
  const contextText = [...(input.documents ?? []), ...input.userTexts.slice(0, -1), context].filter((t) => t.trim()).join('\n\n');
  const sentences = evidenceSentences(contextText, question);
  if (sentences.length === 0) return { text: NO_CONTEXT_ANSWER, question, quoted: [] };

  const scored = scoreSentences(question, sentences).filter((s) => s.score > 0 && s.coverage > MIN_COVERAGE);
  if (scored.length === 0) return { text: NO_MATCH_ANSWER, question, quoted: [] };
  const quoted = chooseQuotes(question, scored);
  const lines = quoted.map((s) => `"${s.text}"${citation(s.header)}`);
  return { text: `Based on the provided context:\n${lines.join('\n')}`, question, quoted };
}

/** "[3] WMT | …" → " [3]"; "[KPI] …" → " [KPI]"; another header → " (source: …)"; none → "". */
export function citation(header: string | undefined): string {
  if (!header) return '';
  const label = /^\[([^\]]{1,20})\]/.exec(header);
  if (label) return ` [${label[1]}]`;
  return ` (source: ${header})`;
}

/** The context's sentences minus the question's own words and, when blocks have headers, the preamble. */
function evidenceSentences(contextText: string, question: string): PromptSentence[] {
  const all = splitContext(contextText);
  const inBlocks = all.some((s) => s.header !== undefined) ? all.filter((s) => s.header !== undefined) : all;
  const q = normalise(question);
  return inBlocks.filter((s) => {
    const t = normalise(s.text);
    return t !== q && !(t.length > 12 && q.includes(t)) && !(q.length > 12 && t.includes(q));
  });
}

interface Scored extends ContextSentence {
  coverage: number;
  terms: Set<string>;
  position: number;
}

function scoreSentences(question: string, sentences: PromptSentence[]): Scored[] {
  const queryTerms = [...new Set(contentTerms(question))];
  const queryBigrams = bigramSet(contentTerms(question));
  const docs = sentences.map((s) => contentTerms(s.text));
  const headerTerms = new Map<string, Set<string>>();
  const df = new Map<string, number>();
  for (const terms of docs) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const idf = (q: string) => Math.log(1 + (n - (df.get(q) ?? 0) + 0.5) / ((df.get(q) ?? 0) + 0.5));
  const weighed = queryTerms.filter((q) => !QUESTION_WORDS.has(q));

  const scored = sentences.map((s, i): Scored => {
    const terms = docs[i]!;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    const header = s.header === undefined ? new Set<string>() : (headerTerms.get(s.header) ?? headerTerms.set(s.header, new Set(contentTerms(s.header))).get(s.header)!);
    let score = 0;
    const covered = weighed.filter((q) => tf.has(q) || header.has(q)).length;
    // When the question asks more than its header says, the sentence must supply some of it: under a
    // "Netflix | Risk Factors" header, "regulatory risks" needs a sentence about regulation (an
    // earthquake is a risk, not a regulatory one). A question the header answers whole needs nothing more.
    const beyondHeader = weighed.filter((q) => !header.has(q));
    const specific = beyondHeader.length === 0 || beyondHeader.some((q) => tf.has(q));
    for (const q of queryTerms) {
      const f = tf.get(q);
      if (!f) continue;
      const boost = /^[0-9]/.test(q) ? NUMBER_BOOST : 1;
      score += boost * idf(q) * ((f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * terms.length) / avgLength)));
    }
    if (score > 0 && queryBigrams.size > 0) {
      for (const b of bigramSet(terms)) if (queryBigrams.has(b)) score += BIGRAM_BONUS;
    }
    return { text: s.text, header: s.header, score, coverage: !weighed.length ? 1 : specific ? covered / weighed.length : 0, terms: new Set(terms), position: i };
  });
  // Highest score first; ties keep context order, so the answer is deterministic.
  return scored.sort((a, b) => b.score - a.score || a.position - b.position);
}

/**
 * The best sentence; then, for each question term that only some block headers carry (a company, a
 * year) and no quote covers yet, the best sentence under such a header; then runners-up scoring
 * ≥ RUNNER_UP_SHARE of the best. No repeats, at most MAX_QUOTES_PER_BLOCK per block, MAX_QUOTES in
 * all, listed in score order.
 */
function chooseQuotes(question: string, scored: Scored[]): ContextSentence[] {
  const picked: Scored[] = [];
  const perBlock = new Map<string, number>();
  const accept = (s: Scored): void => {
    if (picked.length >= MAX_QUOTES || picked.includes(s)) return;
    if ((perBlock.get(s.header ?? '') ?? 0) >= MAX_QUOTES_PER_BLOCK) return;
    if (picked.some((p) => normalise(p.text) === normalise(s.text) || overlap(p.terms, s.terms) >= DUPLICATE_OVERLAP)) return;
    picked.push(s);
    perBlock.set(s.header ?? '', (perBlock.get(s.header ?? '') ?? 0) + 1);
  };
  const best = scored[0]!;
  accept(best);

  const headers = [...new Set(scored.map((s) => s.header).filter((h): h is string => h !== undefined))];
  const headerTerms = new Map(headers.map((h) => [h, new Set(contentTerms(h))]));
  const carries = (s: Scored, term: string) => s.header !== undefined && headerTerms.get(s.header)!.has(term);
  for (const term of new Set(contentTerms(question))) {
    const carrying = headers.filter((h) => headerTerms.get(h)!.has(term)).length;
    if (carrying === 0 || carrying === headers.length || picked.some((p) => carries(p, term))) continue;
    for (const s of scored) {
      if (!carries(s, term)) continue;
      const before = picked.length;
      accept(s);
      if (picked.length > before) break;
    }
  }
  for (const s of scored) if (s.score >= best.score * RUNNER_UP_SHARE) accept(s);
  return picked.sort((a, b) => b.score - a.score || a.position - b.position).map(({ text, header, score }) => ({ text, header, score }));
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9$%]+/g, ' ').trim();
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return a.size === b.size ? 1 : 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / Math.min(a.size, b.size);
}

function bigramSet(terms: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < terms.length; i++) out.add(`${terms[i - 1]} ${terms[i]}`);
  return out;
}
