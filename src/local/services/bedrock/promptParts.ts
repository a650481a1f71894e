/**
 * Reading a RAG prompt apart: the question (a "Question:" label, inline or on its own line, a
 * <question> tag, else the last paragraph that asks something) and the context, cut into sentences
 * that each remember the header of the block they came from (e.g. "[2] WMT | Walmart Inc. | FY2018 |
 * …"). Only the user's messages are read: a system prompt holds instructions, and quoting it back as
 * evidence is exactly what a grounded model must never do.
 */
import { contentTerms } from './tokens';

export interface PromptSentence {
  text: string;
  /** The header of the block the sentence came from, if the context had one. */
  header?: string;
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

  // "Context: … Question: …" on one line: the label after a sentence end starts the question.
  const inline = /(^|[.!?]\s+|\s{2,})(?:question|query)\s*[:：]\s*([^\n]+)$/im.exec(message);
  if (inline) {
    const start = inline.index + inline[1]!.length;
    const end = inline.index + inline[0].length;
    return { question: inline[2]!.trim(), context: message.slice(0, start) + message.slice(end) };
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
export function splitContext(text: string): PromptSentence[] {
  const out: PromptSentence[] = [];
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

/** A sentence end: . ! ? possibly followed by a closing quote or bracket. */
const SENTENCE_END = /[.!?]["')\]]?$/;

function parseHeader(line: string): { header: string; rest: string } | undefined {
  // [1] Walmart Inc. | 10-K 2018 | Item 7   — optionally followed by the text on the same line
  const bracketed = /^(\[[^\]]{1,200}\])\s*[:\-–—]?\s*(.*)$/.exec(line);
  if (bracketed) {
    const label = bracketed[1]!;
    const rest = bracketed[2]!.trim();
    // "[1] Walmart Inc. 10-K 2018, Item 7" alone on its line is all header; "[1] Revenue grew." is a cited sentence.
    if (rest && isMetadataRow(rest)) return { header: line, rest: '' };
    if (rest && rest.length <= 160 && !SENTENCE_END.test(rest)) return { header: line, rest: '' };
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
  // "Source: Walmart 10-K 2018, Item 7" names a source; "Context: Revenue grew 5%." carries the text itself.
  const labelled = /^((?:source|document|doc|context|chunk|passage)\s*#?\d*)\s*[:\-–—]\s*(.{1,})$/i.exec(line);
  if (labelled) {
    const rest = labelled[2]!.trim();
    if (SENTENCE_END.test(rest) || /^context$/i.test(labelled[1]!.trim())) return { header: labelled[1]!.trim(), rest };
    if (line.length <= 200) return { header: rest, rest: '' };
  }
  return undefined;
}

/** "WMT | Walmart Inc. | FY2018 | … | sentences 140-145": fields between pipes, no sentence end. */
function isMetadataRow(text: string): boolean {
  return text.length <= 400 && (text.match(/\|/g)?.length ?? 0) >= 2 && !SENTENCE_END.test(text);
}

function splitSentences(line: string): string[] {
  // Split after . ! ? when the next word starts a new sentence; keeps "$3.1 billion" and "U.S. GAAP" whole
  // except the rare "U.S. The" case, which is harmless for quoting.
  return line
    .split(/(?<=[.!?]["')\]]?)\s+(?=["'(\[]?[A-Z0-9$])/)
    .map((s) => s.trim())
    .filter(Boolean);
}
