/**
 * ArtifactRegistry: the operations behind the artifact API, over an ArtifactStore (DynamoDB), a
 * BlobStore (S3), a Rater and an IngestInvoker — all received, none built here. Inputs arrive raw
 * (as parsed from the request) and are validated here; results are the spec's shapes.
 */
import { ConflictError, LarderError, NotFoundError, ValidationError } from '../errors';
import { log } from '../log';
import { assessArtifact, prospectiveLinks } from './assess';
import { EgressRefused, precheckSource, type EgressGuard } from './egress';
import { BlobStore } from './blobs';
import { attachItems, detachItems } from './links';
import { listPage, parseArtifactQueries, planSources, type ListPage } from './listing';
import { markerClaim, markerRelease } from './markers';
import {
  blobExtension,
  deriveNameFromUrl,
  newArtifactId,
  normaliseName,
  parseArtifactType,
  parseDependencies,
  parseNewArtifact,
  parseSourceUrl,
  validateArtifactId,
  validateArtifactName,
} from './names';
import type { IngestInvoker } from './invoker';
import { describeShortfall, type Rater } from './rater';
import { rerateWaitingModels } from './rerate';
import { resolveArtifact } from './resolve';
import { MAX_README_CHARS, metadataFromItem, toArtifactView, toMetadata } from './records';
import { assertAffordable, compileSearchPattern, searchByPattern, type SearchBudget } from './regex';
import { withOptimisticRetry } from './retry';
import type { ArtifactStore, TxItem } from './store';
import { ARTIFACT_TYPES, type ArtifactMetadata, type ArtifactRecord, type ArtifactType, type ArtifactView, type Dependencies, type ModelRating } from './types';

export interface RegistryLimits {
  maxUploadBytes: number;
  inlineDownloadMaxBytes: number;
  minNetScore: number;
  /** Direct uploads below minNetScore are a 424 too (ingest by URL always is). */
  gateUploads?: boolean;
  /** byRegEx's time and work budget (regex.ts). */
  searchBudget?: SearchBudget;
}

export interface RegistryDeps {
  store: ArtifactStore;
  blobs: BlobStore;
  rater: Rater;
  invokeIngest: IngestInvoker;
  limits: RegistryLimits;
  /** Checks an ingest source at registration (a refused one is a 400 with nothing stored). */
  egress?: EgressGuard;
  /** Fails an ingest whose lease ran out before it is shown (sweep.ts: "and on read"). */
  expireIfStale?: (record: ArtifactRecord) => Promise<ArtifactRecord>;
}

export interface UploadInput {
  type: unknown;
  name: unknown;
  bytes: Buffer;
  contentType?: string;
  fileName?: string;
  dataset?: unknown;
  code?: unknown;
}

export interface IngestInput {
  type: unknown;
  url: unknown;
  name?: unknown;
  dataset?: unknown;
  code?: unknown;
}

export type Download = { kind: 'inline'; bytes: Buffer; contentType: string; fileName: string } | { kind: 'redirect'; url: string };

export class ArtifactRegistry {
  constructor(private readonly deps: RegistryDeps) {}

  /** Bytes sent in the request: rated (models), stored, recorded `completed` → 201. */
  async upload(input: UploadInput): Promise<ArtifactView> {
    const { type, name, dependsOn } = parseNewArtifact(input);
    this.checkUploadSize(input.bytes.length);
    const { store, blobs } = this.deps;
    const id = newArtifactId();
    const contentType = input.contentType || 'application/octet-stream';
    const assessment = await assessArtifact(store, this.deps.rater, { type, name, bytes: input.bytes, dependencies: await prospectiveLinks(store, dependsOn) });
    if (this.deps.limits.gateUploads) this.rejectBelowMinimum(assessment.rating);
    const now = new Date().toISOString();
    const nameNorm = normaliseName(name);
    const blob = await blobs.put(blobs.keyFor(type, nameNorm, id, blobExtension(input.fileName, contentType)), input.bytes, contentType, input.fileName);
    const record: ArtifactRecord = { id, type, name, nameNorm, version: 1, status: 'completed', blob, dependsOn, createdAt: now, updatedAt: now, ...assessment };
    try {
      await withOptimisticRetry('create artifact', async () => {
        const attached = await attachItems(store, record);
        await store.create(attached.record, attached.items);
      });
    } catch (err) {
      await this.bestEffortDelete(blob.key);
      throw err;
    }
    await rerateWaitingModels(this.deps, record.type, record.nameNorm);
    return this.view(record);
  }

  /** An ingest by URL: recorded `pending` with its URL claimed, then handed to the worker → 202. */
  async ingest(input: IngestInput): Promise<ArtifactView> {
    const type = parseArtifactType(input.type);
    const source = parseSourceUrl(input.url);
    await this.checkSource(source.url, 'url');
    const name = input.name === undefined || input.name === null || input.name === '' ? deriveNameFromUrl(source) : validateArtifactName(input.name);
    const dependsOn = parseDependencies(type, input);
    const { store } = this.deps;
    const now = new Date().toISOString();
    const record: ArtifactRecord = { id: newArtifactId(), type, name, nameNorm: normaliseName(name), version: 1, status: 'pending', sourceUrl: source.url, dependsOn, createdAt: now, updatedAt: now };
    await withOptimisticRetry('register ingest', async () => {
      const attached = await attachItems(store, record);
      await store.create(attached.record, [markerClaim(store, source, record.id), ...attached.items]);
    });
    await this.startIngest(record);
    return this.view(record);
  }

  /** By id, or — when no id matches — by name (the seeds' `GET /artifacts/model/bert-base`). */
  async get(typeRaw: unknown, idOrName: unknown): Promise<ArtifactView> {
    return this.view(await this.resolveFresh(typeRaw, idOrName));
  }

  async metadata(typeRaw: unknown, idOrName: unknown): Promise<ArtifactMetadata> {
    return toMetadata(await resolveArtifact(this.deps.store, typeRaw, idOrName));
  }

  private async resolveFresh(typeRaw: unknown, idOrName: unknown): Promise<ArtifactRecord> {
    const record = await resolveArtifact(this.deps.store, typeRaw, idOrName);
    return this.deps.expireIfStale ? this.deps.expireIfStale(record) : record;
  }

  /** The bytes inline (base64 in the response) up to inline_download_max_bytes, else a presigned URL to redirect to. */
  async download(typeRaw: unknown, idOrName: unknown): Promise<Download> {
    const record = await this.resolveFresh(typeRaw, idOrName);
    assertReady(record);
    await this.deps.store.audit(record, 'DOWNLOAD');
    const blob = record.blob;
    if (!blob) throw new NotFoundError(`artifact "${record.id}" has no stored bytes`);
    if (blob.sizeBytes > this.deps.limits.inlineDownloadMaxBytes) return { kind: 'redirect', url: await this.deps.blobs.presignGet(blob) };
    const bytes = await this.deps.blobs.get(blob.key);
    return { kind: 'inline', bytes, contentType: blob.contentType, fileName: blob.fileName ?? `${record.name}${blobExtension(undefined, blob.contentType)}` };
  }

  /** PUT with the spec's Artifact body: the source at data.url replaces the contents (a new ingest). */
  async replaceSource(typeRaw: unknown, idRaw: unknown, body: Record<string, unknown>): Promise<ArtifactView> {
    const type = parseArtifactType(typeRaw);
    const id = validateArtifactId(idRaw);
    const { metadata, data } = body as { metadata?: Record<string, unknown>; data?: Record<string, unknown> };
    if (!metadata || typeof metadata !== 'object') throw new ValidationError('body.metadata: expected {name, id, type}');
    if (!data || typeof data !== 'object') throw new ValidationError('body.data: expected {url}');
    const name = validateArtifactName(metadata.name, 'metadata.name');
    if (metadata.id !== id) throw new ValidationError(`metadata.id must match the id in the path ("${id}")`);
    if (metadata.type !== type) throw new ValidationError(`metadata.type must match the type in the path ("${type}")`);
    const source = parseSourceUrl(data.url, 'data.url');
    await this.checkSource(source.url, 'data.url');
    const { store } = this.deps;
    const updated = await store.update(id, 'replace artifact source', (current) => {
      assertReplaceable(current, type);
      if (current.nameNorm !== normaliseName(name)) throw new ValidationError(`metadata.name must match the artifact's name ("${current.name}")`);
      const items: TxItem[] = [];
      const previous = current.sourceUrl ? parseSourceUrl(current.sourceUrl) : undefined;
      if (previous?.digest !== source.digest) {
        if (current.sourceUrl) items.push(markerRelease(store, current.sourceUrl, id));
        items.push(markerClaim(store, source, id));
      }
      return { record: { ...current, sourceUrl: source.url, status: 'pending', statusReason: undefined, rating: undefined }, items };
    });
    await this.startIngest(updated);
    return this.view(updated);
  }

  /** PUT with bytes (multipart or raw): the new bytes replace the old, conditional on the version read. */
  async replaceBytes(typeRaw: unknown, idRaw: unknown, input: Omit<UploadInput, 'type' | 'dataset' | 'code'>): Promise<ArtifactView> {
    const type = parseArtifactType(typeRaw);
    const id = validateArtifactId(idRaw);
    this.checkUploadSize(input.bytes.length);
    const { store, blobs } = this.deps;
    const before = await store.require(id, type);
    assertReplaceable(before, type);
    if (input.name !== undefined && normaliseName(validateArtifactName(input.name)) !== before.nameNorm) {
      throw new ValidationError(`name must match the artifact's name ("${before.name}")`);
    }
    const contentType = input.contentType || 'application/octet-stream';
    const links = before.type === 'model' ? await prospectiveLinks(store, before.dependsOn) : [];
    const assessment = await assessArtifact(store, this.deps.rater, { type, name: before.name, bytes: input.bytes, dependencies: links });
    if (this.deps.limits.gateUploads) this.rejectBelowMinimum(assessment.rating);
    const key = blobs.keyFor(type, before.nameNorm, id, blobExtension(input.fileName, contentType), BlobStore.newRevision());
    const blob = await blobs.put(key, input.bytes, contentType, input.fileName);
    let replaced: string | undefined;
    let updated: ArtifactRecord;
    try {
      updated = await store.update(id, 'replace artifact bytes', (current) => {
        assertReplaceable(current, type);
        replaced = current.blob?.key;
        const items = current.sourceUrl ? [markerRelease(store, current.sourceUrl, id)] : [];
        return { record: { ...current, sourceUrl: undefined, blob, ...assessment }, items };
      });
    } catch (err) {
      await this.bestEffortDelete(blob.key);
      throw err;
    }
    if (replaced && replaced !== blob.key) await this.bestEffortDelete(replaced);
    await rerateWaitingModels(this.deps, updated.type, updated.nameNorm);
    return this.view(updated);
  }

  async delete(typeRaw: unknown, idRaw: unknown): Promise<ArtifactMetadata> {
    const type = parseArtifactType(typeRaw);
    const id = validateArtifactId(idRaw);
    const { store } = this.deps;
    const deleted = await withOptimisticRetry('delete artifact', async () => {
      const record = await store.require(id, type);
      const items = await detachItems(store, record);
      if (record.sourceUrl && record.status !== 'rejected' && record.status !== 'failed') items.push(markerRelease(store, record.sourceUrl, id));
      await store.delete(record, items);
      return record;
    });
    if (deleted.blob) await this.bestEffortDelete(deleted.blob.key);
    if (deleted.upload) await this.bestEffortDelete(deleted.upload.key); // a presigned upload that may still land
    await rerateWaitingModels(this.deps, deleted.type, deleted.nameNorm);
    return toMetadata(deleted);
  }

  async list(body: unknown, offset?: string): Promise<ListPage> {
    return listPage(this.deps.store, planSources(parseArtifactQueries(body)), offset);
  }

  async byName(nameRaw: unknown): Promise<ArtifactMetadata[]> {
    const name = validateArtifactName(nameRaw);
    const items = await this.deps.store.queryIndexAll('byName', normaliseName(name));
    if (!items.length) throw new NotFoundError(`no artifact named "${name}"`);
    return items.map(metadataFromItem);
  }

  async byRegex(body: Record<string, unknown>): Promise<ArtifactMetadata[]> {
    const pattern = compileSearchPattern(body.regex);
    assertAffordable(pattern, this.deps.limits.searchBudget, MAX_README_CHARS + 255);
    const all = (await Promise.all(ARTIFACT_TYPES.map((t) => this.deps.store.queryIndexAll('byType', t)))).flat();
    const found = searchByPattern(pattern, all.map((i) => ({ name: i.name as string, readme: i.readme as string | undefined, item: i })), this.deps.limits.searchBudget);
    if (!found.length) throw new NotFoundError(`no artifact name or README matches /${pattern.source}/`);
    return found.map((f) => metadataFromItem(f.item));
  }

  /** The model's rating; 404 until one exists (while ingesting, or for non-models). */
  async rating(idRaw: unknown): Promise<ModelRating> {
    const id = validateArtifactId(idRaw);
    const record = await this.deps.store.get(id);
    if (!record || record.type !== 'model') throw new NotFoundError(`no model with id "${id}"`);
    if (!record.rating) throw new NotFoundError(`model "${id}" has no rating yet (status: ${record.status})`);
    await this.deps.store.audit(record, 'RATE');
    return record.rating;
  }

  /** DELETE /reset: every table item and every object under the artifacts prefix. */
  async reset(): Promise<{ records: number; objects: number }> {
    const records = await this.deps.store.deleteEverything();
    const objects = await this.deps.blobs.deleteEverything();
    return { records, objects };
  }

  private async view(record: ArtifactRecord): Promise<ArtifactView> {
    const url = record.status === 'completed' && record.blob ? await this.deps.blobs.presignGet(record.blob) : undefined;
    return toArtifactView(record, this.deps.blobs.bucket, url);
  }

  private async startIngest(record: ArtifactRecord): Promise<void> {
    try {
      await this.deps.invokeIngest(record.id);
    } catch (err) {
      log.error('could not start an ingest', { artifactId: record.id, error: (err as Error).message });
      await this.deps.store
        .update(record.id, 'ingest could not start', async (current) => {
          if (current.status !== 'pending') return undefined;
          const items = await detachItems(this.deps.store, current);
          if (current.sourceUrl) items.push(markerRelease(this.deps.store, current.sourceUrl, current.id));
          return { record: { ...current, status: 'failed', statusReason: 'the ingest worker could not be started', memberSeq: undefined }, items };
        })
        .catch((e) => log.error('could not record the failed ingest start', { artifactId: record.id, error: (e as Error).message }));
      throw new LarderError('UPSTREAM', 'the ingest worker could not be started; the artifact is recorded as failed', { cause: err, statusCode: 500 });
    }
  }

  private async checkSource(url: string, field: string): Promise<void> {
    if (!this.deps.egress) return;
    try {
      await precheckSource(this.deps.egress, url);
    } catch (err) {
      if (err instanceof EgressRefused) throw new ValidationError(`${field}: refused: ${err.message}`);
      throw err;
    }
  }

  private checkUploadSize(bytes: number): void {
    if (bytes > this.deps.limits.maxUploadBytes) {
      throw new LarderError('TOO_LARGE', `the upload is ${bytes} bytes; the limit is ${this.deps.limits.maxUploadBytes}`, { statusCode: 413 });
    }
    if (bytes === 0) throw new ValidationError('the artifact is empty (0 bytes)');
  }

  private rejectBelowMinimum(rating: ModelRating | undefined): void {
    if (rating && rating.net_score < this.deps.limits.minNetScore) {
      const min = this.deps.limits.minNetScore;
      throw new LarderError('REJECTED', `not registered: net score ${rating.net_score} is below the minimum ${min}; short: ${describeShortfall(rating, min)}`, {
        statusCode: 424,
        details: { rating },
      });
    }
  }

  private async bestEffortDelete(key: string): Promise<void> {
    try {
      await this.deps.blobs.delete(key);
    } catch (err) {
      log.warn('could not delete an orphaned blob', { key, error: (err as Error).message });
    }
  }
}

function assertReady(record: ArtifactRecord): void {
  if (record.status === 'completed') return;
  if (record.status === 'rejected') throw new LarderError('REJECTED', `artifact "${record.id}" was rejected: ${record.statusReason ?? 'rating below the minimum'}`, { statusCode: 424 });
  if (record.status === 'failed') throw new ConflictError(`artifact "${record.id}" failed to ingest: ${record.statusReason ?? 'unknown reason'}`);
  throw new ConflictError(`artifact "${record.id}" is still being ingested (status: ${record.status})`);
}

function assertReplaceable(record: ArtifactRecord, type: ArtifactType): void {
  if (record.type !== type) throw new NotFoundError(`no ${type} with id "${record.id}"`);
  if (record.status === 'completed') return;
  if (record.status === 'rejected' || record.status === 'failed') {
    throw new ConflictError(`artifact "${record.id}" is ${record.status}; delete it and register it again`);
  }
  throw new ConflictError(`artifact "${record.id}" is still being ingested (status: ${record.status}); try again when it completes`);
}
