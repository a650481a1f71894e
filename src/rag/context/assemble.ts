/**
 * Context assembly: the best blocks (by their best hit's rank) up to max_context_blocks and the
 * serving model's context window, laid out in that rank order — [1] is the best evidence — each
 * under a header the model (and the local emulator) cites by its number:
 *
 *   [2] AAPL | Apple Inc. | FY2019 | 0000320193_10-K_2019 | Item 7: Management Discussion & Analysis (MD&A) | sentences 40–44
 *
 * The number is the block's place in `blocks`, and the response's `sources` are built from the same
 * list (citations.ts), so `[n]` in an answer is always `sources[n-1]`. (Blocks used to be re-sorted
 * by company, year and section after choosing, which left `[n]` pointing at nothing in `sources`.)
 */
import type { SentencesTable } from '../../loader/types';
import type { ContextBlock } from '../retrieval/windows';

export interface AssembledContext {
  text: string;
  /** In citation order: blocks[n-1] is the block headed "[n]". */
  blocks: Array<{ ref: number; header: string; docID: string; rows: number[]; hitRows: number[]; bestRank: number; body: string }>;
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
  const out = chosen.map((b, i) => {
    const r0 = b.rows[0];
    const first = t.sentence_pos[r0];
    const last = t.sentence_pos[b.rows[b.rows.length - 1]];
    const range = first === last ? `sentence ${first}` : `sentences ${first}–${last}`;
    const header = `[${i + 1}] ${t.ticker[r0]} | ${t.company_name[r0]} | FY${t.report_year[r0]} | ${b.docID} | ${t.section_name[r0]} | ${range}`;
    return { ref: i + 1, header, docID: b.docID, rows: b.rows, hitRows: b.hitRows, bestRank: b.bestRank, body: b.rows.map((r) => t.sentence[r].trim()).join('\n') };
  });
  const text = out.map((b) => `${b.header}\n${b.body}`).join('\n\n');
  return { text, blocks: out, dropped: blocks.length - chosen.length, estimatedTokens: estimateTokens(text) };
}
