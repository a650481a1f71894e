/**
 * The extractive answerer behind Converse: quotes the context sentences that best match the question.
 *
 * A RAG prompt carries a question and context blocks, in the last user message and/or the system
 * prompt. We split them apart (a "Question:" line or <question> tag, else the last paragraph that
 * asks something), cut the context into sentences (remembering the nearest block header, e.g.
 * "[2] Walmart Inc. 10-K 2018, Item 7"), score each sentence by BM25 over the question's content
 * terms (numbers count extra: financial questions hinge on years and amounts) plus a bonus for
 * shared bigrams, and quote the best one to three. No match → say so plainly. Pure and deterministic.
 */
import { contentTerms } from './tokens';

export interface AnswerInput {
  /** System prompt text blocks, joined. */
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

const MAX_QUOTES = 3;
/** A runner-up sentence is quoted only if it scores at least this share of the best one. */
const RUNNER_UP_SHARE = 0.6;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const NUMBER_BOOST = 1.5;
const BIGRAM_BONUS = 0.5;

export function answerFromContext(input: AnswerInput): ExtractiveAnswer {
  const last = input.userTexts.at(-1) ?? '';
  const { question, context } = splitQuestion(last);
  const contextText = [input.system, ...(input.documents ?? []), ...input.userTexts.slice(0, -1), context]
    .filter((t) => t.trim())
    .join('\n\n');
  const sentences = splitContext(contextText);
  if (sentences.length === 0) return { text: NO_CONTEXT_ANSWER, question, quoted: [] };

  const scored = scoreSentences(question, sentences);
  const best = scored[0];
  if (!best || best.score <= 0) return { text: NO_MATCH_ANSWER, question, quoted: [] };
  const quoted = scored.filter((s, i) => i < MAX_QUOTES && s.score >= best.score * RUNNER_UP_SHARE);
  const lines = quoted.map((s) => `"${s.text}"${s.header ? ` (source: ${s.header})` : ''}`);
  return { text: `Based on the provided context:\n${lines.join('\n')}`, question, quoted };
}

/** Separates the question from any context in the same message. */
export function splitQuestion(message: string): { question: string; context: string } {
  const tagged = /<question>([\s\S]*?)<\/question>/i.exec(message);
  if (tagged) return { question: tagged[1]!.trim(), context: message.replace(tagged[0], ' ') };

  const lines = message.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const labelled = /^\s*(?:#+\s*)?(?:user\s+)?(?:question|query|q)\s*[:：]\s*(.*)$/i.exec(lines[i]!);
    if (!labelled) continue;
    // The question runs from the label to the next blank line.
    const rest: string[] = [labelled[1]!];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== ''; j++) rest.push(lines[j]!);
    const context = [...lines.slice(0, i), ...lines.slice(j)].join('\n');
    return { question: rest.join(' ').trim(), context };
  }

  const paragraphs = message.split(/\n\s*\n/).filter((p) => p.trim());
  if (paragraphs.length <= 1) return { question: message.trim(), context: '' };
  let index = paragraphs.length - 1;
  for (let i = paragraphs.length - 1; i >= 0; i--) {
    if (paragraphs[i]!.includes('?')) {
      index = i;
      break;
    }
  }
  return {
    question: paragraphs[index]!.trim(),
    context: paragraphs.filter((_, i) => i !== index).join('\n\n'),
  };
}

/** Context text → sentences, each with the header of its block. */
export function splitContext(text: string): Array<{ text: string; header?: string }> {
  const out: Array<{ text: string; header?: string }> = [];
  let header: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (!line || /^(-{3,}|={3,}|\*{3,}|<\/[^>]+>)$/.test(line)) continue;
    const parsed = parseHeader(line);
    if (parsed) {
      header = parsed.header;
      line = parsed.rest;
      if (!line) continue;
    }
    for (const sentence of splitSentences(line)) {
      if (contentTerms(sentence).length > 0) out.push({ text: sentence, header });
    }
  }
  return out;
}

function parseHeader(line: string): { header: string; rest: string } | undefined {
  // [1] Walmart Inc. | 10-K 2018 | Item 7   — optionally followed by the text on the same line
  const bracketed = /^(\[[^\]]{1,200}\])\s*[:\-–—]?\s*(.*)$/.exec(line);
  if (bracketed) {
    const label = bracketed[1]!;
    const rest = bracketed[2]!.trim();
    // "[1] Walmart Inc. 10-K 2018, Item 7" alone on its line is all header; "[1] Revenue grew." is a cited sentence.
    if (rest && isMetadataRow(rest)) return { header: line, rest: '' };
    if (rest && rest.length <= 160 && !/[.!?]["')\]]?$/.test(rest)) return { header: line, rest: '' };
    // "[2] Apple 10-K: Revenue grew 5%." → header "[2] Apple 10-K", text after the colon.
    const titled = /^([^:.!?]{1,80}):\s+(.+)$/.exec(rest);
    if (titled) return { header: `${label} ${titled[1]!.trim()}`, rest: titled[2]! };
    return { header: label, rest };
  }
  // <document source="..."> / <context id="2">
  const tag = /^<(?:document|context|source|doc|chunk|passage)\b([^>]*)>\s*(.*)$/i.exec(line);
  if (tag) return { header: tag[1]!.replace(/["']/g, '').trim() || 'document', rest: tag[2]!.replace(/<\/[^>]+>$/, '').trim() };
  // ## Walmart 10-K 2018
  const heading = /^#{1,6}\s+(.*)$/.exec(line);
  if (heading) return { header: heading[1]!.trim(), rest: '' };
  // === Walmart 10-K 2018 ===
  const fenced = /^(?:={2,}|-{2,}|\*{2,})\s*(.+?)\s*(?:={2,}|-{2,}|\*{2,})$/.exec(line);
  if (fenced) return { header: fenced[1]!, rest: '' };
  // WMT | Walmart Inc. | FY2018 | Item 7   (a metadata row: fields between pipes, no sentence end)
  if (isMetadataRow(line)) return { header: line.replace(/^\|\s*|\s*\|$/g, ''), rest: '' };
  // "Context from 10-K filings:" — a short label line introducing what follows
  if (line.length <= 80 && line.endsWith(':')) return { header: line.slice(0, -1).trim(), rest: '' };
  // Source: Walmart 10-K 2018, Item 7   |   Document 2: ...
  const labelled = /^(?:source|document|doc|context|chunk|passage)\s*#?\d*\s*[:\-–—]\s*(.{1,200})$/i.exec(line);
  if (labelled && line.length <= 200) return { header: labelled[1]!.trim(), rest: '' };
  return undefined;
}

/** "WMT | Walmart Inc. | FY2018 | … | sentences 140-145": fields between pipes, no sentence end. */
function isMetadataRow(text: string): boolean {
  return text.length <= 400 && (text.match(/\|/g)?.length ?? 0) >= 2 && !/[.!?]["')\]]?$/.test(text);
}

function splitSentences(line: string): string[] {
  // Split after . ! ? when the next word starts a new sentence; keeps "$3.1 billion" and "U.S. GAAP" whole
  // except the rare "U.S. The" case, which is harmless for quoting.
  return line
    .split(/(?<=[.!?]["')\]]?)\s+(?=["'(\[]?[A-Z0-9$])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function scoreSentences(question: string, sentences: Array<{ text: string; header?: string }>): ContextSentence[] {
  const queryTerms = [...new Set(contentTerms(question))];
  const queryBigrams = bigramSet(contentTerms(question));
  const docs = sentences.map((s) => contentTerms(s.text));
  const df = new Map<string, number>();
  for (const terms of docs) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;

  const scored = sentences.map((s, i): ContextSentence & { position: number } => {
    const terms = docs[i]!;
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const q of queryTerms) {
      const f = tf.get(q);
      if (!f) continue;
      const idf = Math.log(1 + (n - df.get(q)! + 0.5) / (df.get(q)! + 0.5));
      const boost = /^[0-9]/.test(q) ? NUMBER_BOOST : 1;
      score += boost * idf * ((f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * terms.length) / avgLength)));
    }
    if (score > 0 && queryBigrams.size > 0) {
      for (const b of bigramSet(terms)) if (queryBigrams.has(b)) score += BIGRAM_BONUS;
    }
    return { text: s.text, header: s.header, score, position: i };
  });
  // Highest score first; ties keep context order, so the answer is deterministic.
  scored.sort((a, b) => b.score - a.score || a.position - b.position);
  return scored.map(({ position: _position, ...rest }) => rest);
}

function bigramSet(terms: string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < terms.length; i++) out.add(`${terms[i - 1]} ${terms[i]}`);
  return out;
}
