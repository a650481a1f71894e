/**
 * The loader health check behind DataLoaderTestFunction: runs named operations against a DataLoader
 * and reports, per table, rows, columns, source and milliseconds, plus the cache state. Operation
 * names follow FinSights' test_data_loader.json (load_stage2_meta = the sentences table) with a few
 * additions.
 */
import { ValidationError } from '../errors';
import { digestTables, type TableDigest } from './digest';
import type { DataLoader, LoaderCacheState, TableStats } from './types';

export const LOADER_OPERATIONS = {
  load_stage2_meta: 'the sentences table (FinSights called it Stage 2 meta)',
  load_sentences: 'the sentences table',
  load_embeddings: 'the embeddings of `model` (default embedding model when omitted)',
  load_dimension_companies: 'the companies dimension',
  load_dimension_sections: 'the sections dimension',
  load_kpi_facts: 'the KPI facts',
  fetch_sentences_by_ids: '`sentence_ids` (default: the first 3 ids of the table) via sentencesByIds',
  load_all: 'every table above',
  cache_state: 'only the cache state',
  digest: 'every table, with rows and a SHA-256 of the loaded content per table (the vector bytes for embeddings)',
} as const;

export type LoaderOperation = keyof typeof LOADER_OPERATIONS;

export interface LoaderCheckRequest {
  operations: LoaderOperation[];
  model?: string;
  sentence_ids?: string[];
}

export interface OperationResult {
  operation: LoaderOperation;
  ok: true;
  ms: number;
  table?: TableStats;
  fetched?: { requested: number; found: number; sample?: { sentenceID: string; sentence: string } };
}

export interface LoaderCheckReport {
  loader: DataLoader['kind'];
  operations: OperationResult[];
  tables: TableStats[];
  cache?: LoaderCacheState;
  /** Present when the `digest` operation ran: per table, rows and SHA-256 of the loaded content. */
  digest?: Record<string, TableDigest>;
  total_ms: number;
}

/** Validates an event into a request; throws ValidationError naming what is wrong. */
export function parseLoaderCheckEvent(event: unknown): LoaderCheckRequest {
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw new ValidationError('event: expected a JSON object with "operations": [...]');
  const e = event as Record<string, unknown>;
  const ops = e.operations === undefined ? ['load_all'] : e.operations;
  if (!Array.isArray(ops) || ops.some((o) => typeof o !== 'string')) throw new ValidationError('event.operations: expected an array of operation names');
  if (ops.length === 0) throw new ValidationError(`event.operations: empty; name at least one of ${Object.keys(LOADER_OPERATIONS).join(', ')} (or omit it for load_all)`);
  // Own keys only: `in` would also accept inherited names such as "toString" or "__proto__".
  const unknown = ops.filter((o) => !Object.hasOwn(LOADER_OPERATIONS, o));
  if (unknown.length) throw new ValidationError(`event.operations: unknown operation(s) ${unknown.join(', ')}; known: ${Object.keys(LOADER_OPERATIONS).join(', ')}`);
  if (e.model !== undefined && typeof e.model !== 'string') throw new ValidationError('event.model: expected an embedding model key');
  if (e.sentence_ids !== undefined && (!Array.isArray(e.sentence_ids) || e.sentence_ids.some((s) => typeof s !== 'string'))) {
    throw new ValidationError('event.sentence_ids: expected an array of sentence ids');
  }
  return { operations: ops as LoaderOperation[], model: e.model as string | undefined, sentence_ids: e.sentence_ids as string[] | undefined };
}

export async function runLoaderCheck(loader: DataLoader, request: LoaderCheckRequest): Promise<LoaderCheckReport> {
  const t0 = performance.now();
  const results: OperationResult[] = [];
  let digest: Record<string, TableDigest> | undefined;
  const statOf = (table: string) => loader.stats().find((s) => s.table === table);
  const expand = request.operations.flatMap((op): LoaderOperation[] =>
    op === 'load_all' ? ['load_sentences', 'load_embeddings', 'load_dimension_companies', 'load_dimension_sections', 'load_kpi_facts'] : [op],
  );
  for (const operation of expand) {
    const t1 = performance.now();
    const result: OperationResult = { operation, ok: true, ms: 0 };
    switch (operation) {
      case 'load_stage2_meta':
      case 'load_sentences':
        await loader.sentences();
        result.table = statOf('sentences');
        break;
      case 'load_embeddings': {
        const m = await loader.embeddings(request.model);
        result.table = loader.stats().find((s) => s.rows === m.count && s.columns?.includes('embedding'));
        break;
      }
      case 'load_dimension_companies':
        await loader.companies();
        result.table = statOf('companies');
        break;
      case 'load_dimension_sections':
        await loader.sections();
        result.table = statOf('sections');
        break;
      case 'load_kpi_facts':
        await loader.kpiFacts();
        result.table = statOf('kpi_facts');
        break;
      case 'fetch_sentences_by_ids': {
        const ids = request.sentence_ids ?? (await loader.sentences()).sentenceID.slice(0, 3);
        const rows = await loader.sentencesByIds(ids);
        result.fetched = { requested: ids.length, found: rows.length, sample: rows[0] ? { sentenceID: rows[0].sentenceID, sentence: rows[0].sentence.slice(0, 200) } : undefined };
        break;
      }
      case 'digest':
        digest = await digestTables(loader, request.model);
        break;
      case 'cache_state':
      case 'load_all':
        break;
    }
    result.ms = performance.now() - t1;
    results.push(result);
  }
  await loader.settled?.(); // the cache as the loads left it, background writes included
  return { loader: loader.kind, operations: results, tables: loader.stats(), cache: loader.cacheState?.(), ...(digest ? { digest } : {}), total_ms: performance.now() - t0 };
}
