/**
 * DataLoaderTestFunction: the loader's health check in Lambda. Event (direct invocation), as in
 * test_events/data_loader.json: `{ "operations": ["load_stage2_meta", …], "model"?: "cohere_v4",
 * "sentence_ids"?: [...] }`. Answers `{statusCode: 200, body: {loader, operations, tables, cache,
 * total_ms}}`; a bad event `{statusCode: 400, body: {error, error_type}}`; a failed load
 * `{statusCode: 500, body: {error, error_type}}`. The loader lives at module scope, so a warm
 * invocation reports its tables from memory. Operation `digest` adds, per table, rows and a SHA-256
 * of the loaded content (the vector bytes for embeddings), to compare with the local data_cache/.
 */
import { loadConfig, type LarderConfig } from '../config';
import { describeError, isLarderError, ValidationError } from '../errors';
import { log } from '../log';
import { createDataLoader, type InvocationClock } from '../loader';
import { parseLoaderCheckEvent, runLoaderCheck } from '../loader/healthCheck';

let config: LarderConfig | undefined;

export interface DataLoaderTestResult {
  statusCode: number;
  body: Record<string, unknown>;
}

export async function handler(event: unknown, context?: InvocationClock): Promise<DataLoaderTestResult> {
  try {
    const request = parseLoaderCheckEvent(event);
    config ??= loadConfig();
    // An unknown model key is the caller's mistake (a 400), not a config failure (500).
    if (request.model !== undefined && !Object.hasOwn(config.embedding.models, request.model)) {
      throw new ValidationError(`event.model: unknown embedding model "${request.model}"; known: ${Object.keys(config.embedding.models).join(', ')}`);
    }
    const loader = createDataLoader(config);
    loader.bindInvocation?.(context); // S3 retries stop in time for this invocation to answer
    const report = await runLoaderCheck(loader, request);
    return { statusCode: 200, body: { ...report } };
  } catch (err) {
    const statusCode = isLarderError(err) && err.statusCode < 500 && err.code === 'VALIDATION' ? 400 : 500;
    const error_type = isLarderError(err) ? err.code : err instanceof Error ? err.name : 'Error';
    if (statusCode === 500) log.error('data loader check failed', { error: describeError(err), error_type });
    return { statusCode, body: { error: describeError(err), error_type } };
  }
}
