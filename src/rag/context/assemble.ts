/**
 * Context assembly: the best blocks (by their best hit's rank) up to max_context_blocks and the
 * serving model's context window, then laid out grouped by company, year, section, doc and position,
 * each under a header the model (and the local emulator) can cite:
 *
 *   [2] AAPL | Apple Inc. | FY2019 | 0000320193_10-K_2019 | Item 7: Management Discussion & Analysis (MD&A) | sentences 40–44
 */
import type { SentencesTable } from '../../loader/types';
import type { ContextBlock } from '../retrieval/windows';

export interface AssembledContext {
  text: string;
  blocks: Array<{ header: string; docID: string; rows: number[] }>;
  /** Blocks left out because of max_context_blocks or the token budget. */
  dropped: number;
  estimatedTokens: number;
}

/** Rough tokens of English text (≈ 4 characters per token), used only for the budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function assembleContext(t: SentencesTable, blocks: readonly ContextBlock[], limits: { maxBlocks: number; maxTokens: number }): AssembledContext {
  const chosen: ContextBlock[] = [];
  let tokens = 0;
  for (const b of blocks) {
    if (chosen.length >= limits.maxBlocks) break;
    const cost = estimateTokens(b.rows.map((r) => t.sentence[r]).join(' ')) + 40;
    if (tokens + cost > limits.maxTokens) continue;
    chosen.push(b);
    tokens += cost;
  }
  const ordered = [...chosen].sort(
    (a, b) =>
      t.company_name[a.rows[0]].localeCompare(t.company_name[b.rows[0]]) ||
      t.report_year[a.rows[0]] - t.report_year[b.rows[0]] ||
      sectionOrder(a.section_item) - sectionOrder(b.section_item) ||
      a.docID.localeCompare(b.docID) ||
      t.sentence_pos[a.rows[0]] - t.sentence_pos[b.rows[0]],
  );
  const out = ordered.map((b, i) => {
    const r0 = b.rows[0];
    const first = t.sentence_pos[r0];
    const last = t.sentence_pos[b.rows[b.rows.length - 1]];
    const range = first === last ? `sentence ${first}` : `sentences ${first}–${last}`;
    const header = `[${i + 1}] ${t.ticker[r0]} | ${t.company_name[r0]} | FY${t.report_year[r0]} | ${b.docID} | ${t.section_name[r0]} | ${range}`;
    return { header, docID: b.docID, rows: b.rows, body: b.rows.map((r) => t.sentence[r].trim()).join('\n') };
  });
  const text = out.map((b) => `${b.header}\n${b.body}`).join('\n\n');
  return { text, blocks: out.map(({ header, docID, rows }) => ({ header, docID, rows })), dropped: blocks.length - chosen.length, estimatedTokens: estimateTokens(text) };
}

/** ITEM_1 < ITEM_1A < ITEM_2 … < ITEM_16, the order of a 10-K. */
function sectionOrder(item: string): number {
  const m = /^ITEM_(\d+)([A-Z]?)$/.exec(item);
  return m ? Number(m[1]) * 10 + (m[2] ? m[2].charCodeAt(0) - 64 : 0) : 1000;
}
