/**
 * The one place an ArtifactRecord becomes a DynamoDB item and back, the keys of every item kind in
 * the table, and the spec's response shapes built from a record.
 *
 * Item kinds (one table, see table.ts):
 *   ART#{id}                 / META            the artifact record (listed through the byName and byType GSIs)
 *   URL#{sha256(canonical)}  / URL             the source-URL uniqueness marker {artifactId, url}
 *   NAME#{type}#{nameNorm}   / HEAD            version of the name's partition (guards links, see links.ts)
 *   NAME#{type}#{nameNorm}   / MEMBER#{seq}#{id}  a dataset/code of that name, in arrival order (seq from HEAD)
 *   NAME#{type}#{nameNorm}   / WANT#{modelId}  a model that names this dataset/code; `linkedId` when linked
 */
import { LarderError } from '../errors';
import type {
  ArtifactMetadata,
  ArtifactRecord,
  ArtifactStatus,
  ArtifactType,
  ArtifactView,
  LinkableType,
  ModelRating,
} from './types';
import { RETIRED_STATUSES } from './types';

/** Statuses of an ingest under way: listed in the sparse `inflight` index, and leased (sweep.ts). */
export const INFLIGHT_STATUSES: readonly ArtifactStatus[] = ['pending', 'downloading', 'rating'];

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown>;

/** README text kept on the record for regex search: enough to search, far below the 400 KB item limit. */
export const MAX_README_CHARS = 16 * 1024;

export const keys = {
  artifact: (id: string): Key => ({ pk: `ART#${id}`, sk: 'META' }),
  urlMarker: (digest: string): Key => ({ pk: `URL#${digest}`, sk: 'URL' }),
  namePartition: (type: ArtifactType, nameNorm: string): string => `NAME#${type}#${nameNorm}`,
  nameHead: (type: ArtifactType, nameNorm: string): Key => ({ pk: keys.namePartition(type, nameNorm), sk: 'HEAD' }),
  member: (type: ArtifactType, nameNorm: string, seq: number, id: string): Key => ({
    pk: keys.namePartition(type, nameNorm),
    sk: `MEMBER#${String(seq).padStart(12, '0')}#${id}`,
  }),
  waiter: (type: LinkableType, nameNorm: string, modelId: string): Key => ({ pk: keys.namePartition(type, nameNorm), sk: `WANT#${modelId}` }),
};

/** GSI key attributes of an artifact item; absent on retired (rejected/failed) records, so they are not listed. */
export function indexKeys(record: ArtifactRecord): Item {
  if (RETIRED_STATUSES.includes(record.status)) return {};
  const inflight = INFLIGHT_STATUSES.includes(record.status) ? { inflightPk: 'INFLIGHT', inflightSk: `${record.updatedAt}#${record.id}` } : {};
  return {
    ...inflight,
    byNamePk: record.nameNorm,
    byNameSk: `${record.type}#${record.createdAt}#${record.id}`,
    byTypePk: record.type,
    byTypeSk: `${record.nameNorm}#${record.createdAt}#${record.id}`,
  };
}

export function toItem(record: ArtifactRecord): Item {
  return {
    ...keys.artifact(record.id),
    ...indexKeys(record),
    entity: 'artifact',
    id: record.id,
    type: record.type,
    name: record.name,
    nameNorm: record.nameNorm,
    version: record.version,
    status: record.status,
    statusReason: record.statusReason,
    sourceUrl: record.sourceUrl,
    blob: record.blob,
    upload: record.upload,
    license: record.license,
    readme: record.readme?.slice(0, MAX_README_CHARS),
    dependsOn: record.dependsOn,
    rating: record.rating,
    scores: record.scores,
    createdBy: record.createdBy,
    memberSeq: record.memberSeq,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function fromItem(item: Item): ArtifactRecord {
  if (item.entity !== 'artifact' || typeof item.id !== 'string' || typeof item.version !== 'number') {
    throw new LarderError('INTERNAL', `registry table item ${String(item.pk)}/${String(item.sk)} is not an artifact record`);
  }
  return {
    id: item.id,
    type: item.type as ArtifactType,
    name: item.name as string,
    nameNorm: item.nameNorm as string,
    version: item.version,
    status: item.status as ArtifactStatus,
    statusReason: item.statusReason as string | undefined,
    sourceUrl: item.sourceUrl as string | undefined,
    blob: item.blob as ArtifactRecord['blob'],
    upload: item.upload as ArtifactRecord['upload'],
    license: item.license as string | undefined,
    readme: item.readme as string | undefined,
    dependsOn: (item.dependsOn as ArtifactRecord['dependsOn']) ?? {},
    rating: item.rating as ModelRating | undefined,
    scores: item.scores as Record<string, number> | undefined,
    createdBy: item.createdBy as string | undefined,
    memberSeq: item.memberSeq as number | undefined,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

export function toMetadata(record: Pick<ArtifactRecord, 'name' | 'id' | 'type'>): ArtifactMetadata {
  return { name: record.name, id: record.id, type: record.type };
}

/** Metadata from a GSI item (the byName/byType indexes project the whole record). */
export function metadataFromItem(item: Item): ArtifactMetadata {
  return { name: item.name as string, id: item.id as string, type: item.type as ArtifactType };
}

/**
 * The spec's Artifact. `data.url` is the ingest source, or the s3:// URI of the stored bytes for an
 * upload; `download_url` (presigned) is present once bytes are stored.
 */
export function toArtifactView(record: ArtifactRecord, bucket: string, downloadUrl?: string): ArtifactView {
  const url = record.sourceUrl ?? (record.blob ? `s3://${bucket}/${record.blob.key}` : `s3://${bucket}/`);
  return {
    metadata: toMetadata(record),
    data: downloadUrl ? { url, download_url: downloadUrl } : { url },
    status: { state: record.status, ...(record.statusReason ? { reason: record.statusReason } : {}), updated_at: record.updatedAt },
    ...(record.scores ? { scores: record.scores } : {}),
  };
}

/**
 * The seeds' Model record (`name, size, license, model_key, code_key, dataset_key, scores,
 * scores_latency`) as a view of an ArtifactRecord: model_key is the blob's S3 key, dataset_key and
 * code_key the ids the model is linked to, scores/scores_latency the rating split in two maps.
 */
export interface SeedModel {
  name: string;
  size: number;
  license: string;
  model_key: string | null;
  code_key: string | null;
  dataset_key: string | null;
  scores: Record<string, number | Record<string, number>>;
  scores_latency: Record<string, number>;
}

export function toSeedModel(record: ArtifactRecord, links: { dataset?: string; code?: string } = {}): SeedModel {
  const scores: SeedModel['scores'] = {};
  const scores_latency: SeedModel['scores_latency'] = {};
  for (const [k, v] of Object.entries(record.rating ?? {})) {
    if (k === 'name' || k === 'category') continue;
    if (k.endsWith('_latency')) scores_latency[k.slice(0, -'_latency'.length)] = v as number;
    else scores[k] = v as number | Record<string, number>;
  }
  return {
    name: record.name,
    size: record.blob?.sizeBytes ?? 0,
    license: record.license ?? 'unknown',
    model_key: record.blob?.key ?? null,
    code_key: links.code ?? null,
    dataset_key: links.dataset ?? null,
    scores,
    scores_latency,
  };
}
