/**
 * IngestWorkerFunction: invoked asynchronously (InvocationType Event) by the artifact function with
 * `{"artifact_id": "..."}`; runs one ingest (src/registry/ingest.ts). A malformed event is answered,
 * not thrown (a retry could not fix it); a store outage is thrown so Lambda retries the event,
 * which is harmless: the lifecycle skips steps already taken.
 */
import { LarderError } from '../errors';
import { log } from '../log';
import type { IngestOutcome } from '../registry';
import { defaultRegistryRuntime } from './wiring/registry';
import { validateArtifactId } from '../registry/names';

export type IngestWorkerResult = IngestOutcome | { error: string; error_code: string };

export function createIngestWorkerHandler(getIngest: () => Promise<(artifactId: string) => Promise<IngestOutcome>>) {
  return async (event: unknown): Promise<IngestWorkerResult> => {
    let artifactId: string;
    try {
      const raw = typeof event === 'object' && event !== null ? ((event as Record<string, unknown>).artifact_id ?? (event as Record<string, unknown>).artifactId) : undefined;
      artifactId = validateArtifactId(raw, 'artifact_id');
    } catch (err) {
      log.error('ingest worker got a malformed event', { error: (err as Error).message });
      return { error: (err as Error).message, error_code: err instanceof LarderError ? err.code : 'EVENT_INVALID' };
    }
    const outcome = await (await getIngest())(artifactId);
    log.info('ingest finished', { ...outcome });
    return outcome;
  };
}

export const handler = createIngestWorkerHandler(async () => (await defaultRegistryRuntime()).ingest);
