/**
 * Window expansion: each hit grows to the sentences within ±window positions (sentence_pos) in the
 * same doc and section; overlapping or touching windows merge into one block, so no sentence appears
 * twice in the context.
 */
import type { SentencesTable } from '../../loader/types';

export interface ContextBlock {
  docID: string;
  section_item: string;
  /** Rows of the block, ascending sentence_pos. */
  rows: number[];
  /** The hit rows inside it. */
  hitRows: number[];
  /** Best (lowest) fused rank of its hits, 0-based: blocks are chosen by it. */
  bestRank: number;
}

export class WindowIndex {
  /** "docID|section_item" → rows sorted by sentence_pos. */
  private readonly groups = new Map<string, Int32Array>();

  constructor(private readonly table: SentencesTable) {
    const lists = new Map<string, number[]>();
    for (let row = 0; row < table.count; row++) {
      const key = groupKey(table, row);
      let l = lists.get(key);
      if (!l) lists.set(key, (l = []));
      l.push(row);
    }
    for (const [key, rows] of lists) {
      rows.sort((a, b) => table.sentence_pos[a] - table.sentence_pos[b] || a - b);
      this.groups.set(key, Int32Array.from(rows));
    }
  }

  /** Blocks around `hits` (rows in rank order), merged per doc and section. */
  expand(hits: readonly number[], window: number): ContextBlock[] {
    const t = this.table;
    type Span = { from: number; to: number; hits: number[]; bestRank: number };
    const spansByGroup = new Map<string, Span[]>();
    hits.forEach((row, rank) => {
      const key = groupKey(t, row);
      const pos = t.sentence_pos[row];
      const spans = spansByGroup.get(key) ?? [];
      spans.push({ from: pos - window, to: pos + window, hits: [row], bestRank: rank });
      spansByGroup.set(key, spans);
    });
    const blocks: ContextBlock[] = [];
    for (const [key, spans] of spansByGroup) {
      spans.sort((a, b) => a.from - b.from);
      const merged: Span[] = [];
      for (const s of spans) {
        const last = merged[merged.length - 1];
        if (last && s.from <= last.to + 1) {
          last.to = Math.max(last.to, s.to);
          last.hits.push(...s.hits);
          last.bestRank = Math.min(last.bestRank, s.bestRank);
        } else merged.push({ ...s, hits: [...s.hits] });
      }
      const group = this.groups.get(key)!;
      for (const span of merged) {
        const rows: number[] = [];
        for (let i = lowerBound(group, span.from, t.sentence_pos); i < group.length && t.sentence_pos[group[i]] <= span.to; i++) rows.push(group[i]);
        const first = span.hits[0];
        blocks.push({ docID: t.docID[first], section_item: t.section_item[first], rows, hitRows: span.hits, bestRank: span.bestRank });
      }
    }
    return blocks.sort((a, b) => a.bestRank - b.bestRank);
  }
}

function groupKey(t: SentencesTable, row: number): string {
  return `${t.docID[row]}|${t.section_item[row]}`;
}

function lowerBound(group: Int32Array, pos: number, positions: Int32Array): number {
  let lo = 0, hi = group.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[group[mid]] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
