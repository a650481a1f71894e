/**
 * A model's rating depends on what it is linked to (dataset_and_code_score, dataset_quality,
 * code_quality, tree_score). When a dataset or code of a name arrives, leaves, or changes, the
 * models waiting on that name are re-rated from their stored bytes and the new links, each a
 * write conditional on the version read (so a concurrent replacement is never overwritten).
 * Best effort after the change has committed: a failure is logged and the old rating stays.
 */
import { log } from '../log';
import { assessArtifact, currentLinks } from './assess';
import type { BlobStore } from './blobs';
import type { Rater } from './rater';
import { keys } from './records';
import type { ArtifactStore } from './store';
import type { LinkableType } from './types';
import { isLinkable } from './links';

/** Models re-rated per change at most (the rest keep their rating until their own next change). */
export const MAX_RERATED_MODELS = 50;

export interface RerateDeps {
  store: ArtifactStore;
  blobs: BlobStore;
  rater: Rater;
}

/** Re-rates the completed models that name `type`/`nameNorm`; returns how many were re-rated. */
export async function rerateWaitingModels(deps: RerateDeps, type: string, nameNorm: string): Promise<number> {
  if (!isLinkable(type as never)) return 0;
  try {
    const waiters = await deps.store.queryPartition(keys.namePartition(type as LinkableType, nameNorm), 'WANT#', MAX_RERATED_MODELS);
    let rerated = 0;
    for (const waiter of waiters) if (await rerateModel(deps, waiter.modelId as string)) rerated++;
    return rerated;
  } catch (err) {
    log.warn('could not re-rate the models linked to a changed artifact', { type, nameNorm, error: (err as Error).message });
    return 0;
  }
}

/** Re-rates one completed model from its stored bytes; false when it is not (yet) rateable. */
export async function rerateModel(deps: RerateDeps, modelId: string): Promise<boolean> {
  const record = await deps.store.get(modelId);
  if (!record || record.type !== 'model' || record.status !== 'completed' || !record.blob) return false;
  const bytes = await deps.blobs.get(record.blob.key);
  const assessment = await assessArtifact(deps.store, deps.rater, { type: 'model', name: record.name, bytes, dependencies: await currentLinks(deps.store, record) });
  const blobKey = record.blob.key;
  await deps.store.update(modelId, 're-rate model', (current) => {
    if (current.status !== 'completed' || current.blob?.key !== blobKey) return undefined; // replaced meanwhile: its own rating is newer
    return { record: { ...current, rating: assessment.rating, license: assessment.license }, audit: 'RATE' };
  });
  return true;
}
