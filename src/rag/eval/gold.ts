/**
 * Gold QA files in the FinSights P3 schema (p3_gold_P3_v1_auto.json): an array of items with
 * question_text, evidence_sentence_ids, difficulty and retrieval_scope (other keys are kept but unused).
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../errors';

export interface GoldItem {
  question_id: string;
  question_text: string;
  evidence_sentence_ids: string[];
  difficulty: string;
  retrieval_scope: string;
  /** Generated sets (bundles.ts) say which half an item is in: dev (tune on it) or heldout. */
  split?: string;
  /** Numeric gold answer and its tolerance (relative), when the item has one. */
  answer_numeric?: number;
  tolerance?: number;
}

export function readGoldFile(path: string): GoldItem[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`${path}: cannot read the gold file: ${(err as Error).message}`, { cause: err });
  }
  return parseGold(data, path);
}

export function parseGold(data: unknown, source = 'gold'): GoldItem[] {
  const items = Array.isArray(data) ? data : (data as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new ValidationError(`${source}: expected a JSON array of gold items`);
  return items.map((raw, i) => {
    const it = raw as Record<string, unknown>;
    const where = `${source}[${i}]`;
    if (typeof it.question_text !== 'string' || !it.question_text.trim()) throw new ValidationError(`${where}.question_text: expected a non-empty string`);
    if (!Array.isArray(it.evidence_sentence_ids) || !it.evidence_sentence_ids.every((x) => typeof x === 'string')) {
      throw new ValidationError(`${where}.evidence_sentence_ids: expected an array of sentence ids`);
    }
    return {
      question_id: typeof it.question_id === 'string' ? it.question_id : `item-${i}`,
      question_text: it.question_text,
      evidence_sentence_ids: it.evidence_sentence_ids as string[],
      difficulty: typeof it.difficulty === 'string' ? it.difficulty : 'unknown',
      retrieval_scope: typeof it.retrieval_scope === 'string' ? it.retrieval_scope : 'unknown',
      ...(typeof it.answer_numeric === 'number' ? { answer_numeric: it.answer_numeric, tolerance: typeof it.tolerance === 'number' ? it.tolerance : 0.01 } : {}),
    };
  });
}
