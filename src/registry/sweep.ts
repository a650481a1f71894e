/**
 * No ingest is stranded. Every pending/downloading/rating record holds a lease: its `updatedAt`
 * plus `registry.ingest.lease_seconds` (each step of the worker renews it). A record whose lease
 * ran out — its worker event lost, dropped after its retries, or its worker dead — is failed with a
 * reason, its URL released and its links moved (one transaction, ingest.ts expireIngest), by:
 *  - the scheduled IngestSweepFunction (lambda_assets/template.yaml), which finds them through the
 *    sparse `inflight` index (only in-flight records are in it; no Scan);
 *  - any read of that record (GET), so a client polling never waits for the schedule;
 *  - the worker itself, when a late or retried event arrives for it.
 * A pending presigned upload (presignedUpload.ts) is settled instead: registered when its object
 * is there, failed when its lease ran out without it.
 * So a stranded ingest ends `failed` within lease + the sweep's period, and is never re-run twice.
 */
import { log } from '../log';
import { expireIngest, isLeaseExpired, leaseOf, type IngestDeps } from './ingest';
import { settleUpload } from './presignedUpload';
import type { ArtifactRecord } from './types';

export interface SweepResult {
  /** In-flight records whose lease had run out. */
  expired: number;
  /** Of those, the ones this sweep failed (others moved on meanwhile). */
  failed: string[];
}

/** Most records failed per run; the next run takes the rest. */
export const MAX_SWEPT_PER_RUN = 500;

export async function sweepStaleIngests(deps: IngestDeps, now = Date.now()): Promise<SweepResult> {
  const cutoff = new Date(now - leaseOf(deps)).toISOString();
  const page = await deps.store.queryIndex('inflight', 'INFLIGHT', { skBefore: cutoff, limit: MAX_SWEPT_PER_RUN });
  const failed: string[] = [];
  for (const item of page.items) {
    const record = await deps.store.get(String(item.pk).slice('ART#'.length)); // KEYS_ONLY: the id is in the key
    if (!record || !isLeaseExpired(record, leaseOf(deps), now)) continue;
    if (record.upload) {
      // A presigned upload: registered if its object landed after all, else failed (presignedUpload.ts).
      if ((await settleUpload(deps, record, now)).status === 'failed') failed.push(record.id);
    } else if (await expireIngest(deps, record)) failed.push(record.id);
  }
  if (page.items.length) log.info('ingest sweep', { expired: page.items.length, failed: failed.length });
  return { expired: page.items.length, failed };
}

/** On read: an in-flight record past its lease is failed first, so the caller sees the outcome. */
export async function expireIfStale(deps: IngestDeps, record: ArtifactRecord): Promise<ArtifactRecord> {
  if (record.upload) return settleUpload(deps, record); // a pending presigned upload: registered once its object landed
  if (!isLeaseExpired(record, leaseOf(deps))) return record;
  await expireIngest(deps, record);
  return (await deps.store.get(record.id)) ?? record;
}
