/**
 * The ingest worker's lifecycle for one artifact:
 *   pending → downloading → rating → completed | rejected | failed
 * Each step is a write conditional on the status (and version) it moves from, so no step is skipped
 * or repeated, and a retried or duplicated event finds the work done (or under way) and stops.
 * Failures are recorded with their reason; rejected/failed artifacts are detached (unlisted, their
 * URL free again, links moved) in the same transaction as the status change.
 */
import { LarderError, describeError } from '../errors';
import { log } from '../log';
import { assessArtifact, currentLinks } from './assess';
import { BlobStore } from './blobs';
import { IngestSourceError, fetchSource as defaultFetchSource, type SourceFetcher } from './download';
import type { EgressGuard } from './egress';
import { detachItems } from './links';
import { blobExtension } from './names';
import { describeShortfall, type Rater } from './rater';
import { rerateWaitingModels } from './rerate';
import { markerRelease } from './markers';
import { RetryableConflict } from './retry';
import type { ArtifactStore, TxItem } from './store';
import type { ArtifactRecord, ArtifactStatus } from './types';

export interface IngestDeps {
  store: ArtifactStore;
  blobs: BlobStore;
  rater: Rater;
  maxIngestBytes: number;
  minNetScore: number;
  fetchSource?: SourceFetcher;
  /**
   * The lease of an ingest under way: a pending/downloading/rating record not moved on within this
   * long is abandoned (a lost event, a dead or ever-failing worker) and is failed (sweep.ts).
   */
  leaseMs?: number;
  sourceTimeoutMs?: number;
  maxRedirects?: number;
  /** Where sources may be fetched from (egress.ts). */
  egress?: EgressGuard;
  /** Presigned uploads below minNetScore are rejected only when direct uploads are (registry.gate_uploads). */
  gateUploads?: boolean;
}

export type IngestOutcome =
  | { outcome: 'completed' | 'rejected' | 'failed'; id: string; reason?: string }
  | { outcome: 'skipped'; id: string; status?: ArtifactStatus; reason: string };

/** Lambda's longest timeout plus a margin. */
export const DEFAULT_LEASE_MS = 16 * 60 * 1000;

export function leaseOf(deps: Pick<IngestDeps, 'leaseMs'>): number {
  return deps.leaseMs ?? DEFAULT_LEASE_MS;
}

/** An ingest under way whose record has not moved on within the lease. */
export function isLeaseExpired(record: ArtifactRecord, leaseMs: number, now = Date.now()): boolean {
  return (record.status === 'pending' || record.status === 'downloading' || record.status === 'rating') && now - Date.parse(record.updatedAt) > leaseMs;
}

/**
 * Fails an abandoned ingest — conditional on it still being the same stale record, so a worker
 * that moved it on meanwhile wins — releasing its URL and links in the same transaction.
 * Returns the reason, or undefined when the record had moved on.
 */
export async function expireIngest(deps: IngestDeps, stale: ArtifactRecord): Promise<string | undefined> {
  const seconds = Math.round(leaseOf(deps) / 1000);
  const reason = `the ingest did not finish within ${seconds} s while ${stale.status} (its worker event was lost or kept failing); send the URL again`;
  const done = await retire(deps, stale.id, [stale.status], 'failed', reason, {}, stale.version);
  if (!done) return undefined;
  await rerateWaitingModels(deps, stale.type, stale.nameNorm);
  return reason;
}

export class StatusMoved extends Error {
  constructor(readonly status: ArtifactStatus | undefined) {
    super(`artifact status moved on (${status ?? 'deleted'})`);
  }
}

export async function runIngest(deps: IngestDeps, artifactId: string): Promise<IngestOutcome> {
  const start = await deps.store.get(artifactId);
  if (!start) return { outcome: 'skipped', id: artifactId, reason: 'no such artifact (deleted?)' };
  if (isLeaseExpired(start, leaseOf(deps))) {
    const reason = await expireIngest(deps, start);
    return reason ? { outcome: 'failed', id: artifactId, reason } : { outcome: 'skipped', id: artifactId, reason: 'the record moved on' };
  }
  if (start.upload) return { outcome: 'skipped', id: artifactId, reason: 'a presigned upload: it completes when its object lands (presignedUpload.ts)' };
  if (start.status !== 'pending') return { outcome: 'skipped', id: artifactId, status: start.status, reason: `already ${start.status}` };

  let record: ArtifactRecord;
  try {
    record = await transition(deps.store, artifactId, 'pending', (r) => ({ ...r, status: 'downloading' }));
  } catch (err) {
    if (err instanceof StatusMoved) return { outcome: 'skipped', id: artifactId, status: err.status, reason: 'another worker took it' };
    throw err;
  }

  let stored: { key: string; replaced?: string } | undefined;
  try {
    const source = await (deps.fetchSource ?? defaultFetchSource)(record.sourceUrl!, {
      maxBytes: deps.maxIngestBytes,
      blobs: deps.blobs,
      timeoutMs: deps.sourceTimeoutMs,
      maxRedirects: deps.maxRedirects,
      guard: deps.egress,
    });
    const key = deps.blobs.keyFor(record.type, record.nameNorm, record.id, blobExtension(source.fileName, source.contentType), record.blob ? BlobStore.newRevision() : undefined);
    const blob = await deps.blobs.put(key, source.bytes, source.contentType, source.fileName);
    stored = { key, replaced: record.blob?.key };
    record = await transition(deps.store, artifactId, 'downloading', (r) => ({ ...r, status: 'rating', blob }));
    if (stored.replaced) await bestEffortDelete(deps.blobs, stored.replaced);

    const assessment = await assessArtifact(deps.store, deps.rater, {
      type: record.type,
      name: record.name,
      bytes: source.bytes,
      dependencies: await currentLinks(deps.store, record),
    });
    const net = assessment.rating?.net_score;
    if (net !== undefined && net < deps.minNetScore) {
      const reason = `net score ${net} is below the registry's minimum ${deps.minNetScore}; short: ${describeShortfall(assessment.rating!, deps.minNetScore)}`;
      await retire(deps, artifactId, ['rating'], 'rejected', reason, { rating: assessment.rating, license: assessment.license, readme: assessment.readme });
      return { outcome: 'rejected', id: artifactId, reason };
    }
    await transition(deps.store, artifactId, 'rating', (r) => ({
      ...r,
      status: 'completed',
      rating: assessment.rating,
      scores: assessment.scores,
      license: assessment.license,
      readme: assessment.readme,
    }));
    await rerateWaitingModels(deps, record.type, record.nameNorm);
    return { outcome: 'completed', id: artifactId };
  } catch (err) {
    if (err instanceof StatusMoved) {
      // Deleted or changed under us: the bytes we stored belong to nobody.
      if (stored) await bestEffortDelete(deps.blobs, stored.key);
      return { outcome: 'skipped', id: artifactId, status: err.status, reason: 'the artifact changed while it was being ingested' };
    }
    const reason = failureReason(err);
    log.warn('ingest failed', { artifactId, reason });
    const current = await deps.store.get(artifactId);
    if (current && (current.status === 'downloading' || current.status === 'rating')) {
      await retire(deps, artifactId, [current.status], 'failed', reason);
      await rerateWaitingModels(deps, current.type, current.nameNorm);
    }
    return { outcome: 'failed', id: artifactId, reason };
  }
}

/** Moves `from` → the record `mutate` returns, conditional on status and version; StatusMoved when the status is not `from`. */
export async function transition(store: ArtifactStore, id: string, from: ArtifactStatus, mutate: (r: ArtifactRecord) => ArtifactRecord): Promise<ArtifactRecord> {
  try {
    return await store.update(id, `ingest ${from} → next`, (current) => {
      if (current.status !== from) throw new StatusMoved(current.status);
      return { record: mutate(current) };
    });
  } catch (err) {
    if (err instanceof LarderError && err.code === 'NOT_FOUND') throw new StatusMoved(undefined);
    throw err;
  }
}

/**
 * rejected | failed: the record stays (GET shows why) but is unlisted, its URL marker is released
 * and its links are moved — one transaction. A rejected artifact's bytes are deleted after.
 */
export async function retire(
  deps: IngestDeps,
  id: string,
  from: ArtifactStatus[],
  status: 'rejected' | 'failed',
  reason: string,
  patch: Partial<ArtifactRecord> = {},
  onlyVersion?: number,
): Promise<boolean> {
  let dropped: string | undefined;
  let done = true;
  await deps.store.update(id, `ingest → ${status}`, async (current) => {
    if (!from.includes(current.status)) throw new StatusMoved(current.status);
    if (onlyVersion !== undefined && current.version !== onlyVersion) throw new StatusMoved(current.status);
    const items: TxItem[] = await detachItems(deps.store, current);
    if (current.sourceUrl) items.push(markerRelease(deps.store, current.sourceUrl, current.id));
    dropped = status === 'rejected' ? current.blob?.key : undefined;
    return { record: { ...current, ...patch, status, statusReason: reason, memberSeq: undefined, ...(status === 'rejected' ? { blob: undefined } : {}) }, items };
  }).catch((err) => {
    if (err instanceof StatusMoved || (err instanceof LarderError && err.code === 'NOT_FOUND')) {
      done = false;
      return undefined;
    }
    throw err;
  });
  if (dropped) await bestEffortDelete(deps.blobs, dropped);
  return done;
}

function failureReason(err: unknown): string {
  if (err instanceof IngestSourceError) return err.message;
  if (err instanceof RetryableConflict) return 'too many concurrent writes';
  if (err instanceof LarderError) return err.message;
  log.error('ingest failed unexpectedly', { error: describeError(err) });
  return 'internal error';
}

async function bestEffortDelete(blobs: BlobStore, key: string): Promise<void> {
  try {
    await blobs.delete(key);
  } catch (err) {
    log.warn('could not delete a replaced or orphaned blob', { key, error: (err as Error).message });
  }
}

