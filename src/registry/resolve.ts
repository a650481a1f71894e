/**
 * `GET /artifacts/{type}/{id}` as the seeds send it: ModelGuard fetches `/artifacts/model/bert-base`
 * — a name where the spec puts an id. An id is tried first (ids and names can look alike); when no
 * artifact of that type has it, the segment is taken as a name: one live artifact of that type and
 * name → it; several → 409 listing their ids (the caller must pick); none → 404.
 */
import { ConflictError, NotFoundError } from '../errors';
import { normaliseName, parseArtifactType, validateArtifactName } from './names';
import { metadataFromItem } from './records';
import type { ArtifactStore } from './store';
import type { ArtifactRecord } from './types';

const ID_PATTERN = /^[a-zA-Z0-9-]{1,64}$/;

export async function resolveArtifact(store: ArtifactStore, typeRaw: unknown, idOrName: unknown): Promise<ArtifactRecord> {
  const type = parseArtifactType(typeRaw);
  if (typeof idOrName === 'string' && ID_PATTERN.test(idOrName)) {
    const byId = await store.get(idOrName);
    if (byId && byId.type === type) return byId;
  }
  const name = validateArtifactName(idOrName, 'id');
  const matches = (await store.queryIndexAll('byName', normaliseName(name), `${type}#`)).map(metadataFromItem);
  if (matches.length === 1) return store.require(matches[0].id, type);
  if (matches.length > 1) {
    throw new ConflictError(`${matches.length} ${type}s are named "${name}" (ids: ${matches.map((m) => m.id).join(', ')}); ask for one by id`);
  }
  throw new NotFoundError(`no ${type} with id or name "${name}"`);
}
