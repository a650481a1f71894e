/**
 * IngestSweepFunction: run on a schedule (the template's `Schedule` event, rate(5 minutes)); fails
 * the ingests whose lease ran out (src/registry/sweep.ts) so none stays pending forever and each
 * URL is free again. The scheduled event's content is not used. A store outage is thrown, so the
 * run shows as an error and the next run retries.
 */
import { log } from '../log';
import type { SweepResult } from '../registry';
import { defaultRegistryRuntime } from './wiring/registry';

export function createIngestSweepHandler(getSweep: () => Promise<() => Promise<SweepResult>>) {
  return async (_event: unknown): Promise<SweepResult> => {
    const result = await (await getSweep())();
    log.info('ingest sweep finished', { expired: result.expired, failed: result.failed.length });
    return result;
  };
}

export const handler = createIngestSweepHandler(async () => (await defaultRegistryRuntime()).sweep);
