/**
 * Large artifacts the way they go on AWS: a request body is capped at Lambda's 6 MB, so the client
 * asks for an upload URL instead (`POST /artifact/{type}/upload-url`), PUTs the bytes straight to
 * S3 with it, and the artifact is registered when the object lands:
 *   1. request: the name (and dependencies) are validated, a `pending` record holding `upload`
 *      (the expected key, content type, expiry) is created, and a presigned S3 PUT is returned;
 *   2. settle: once the object exists it is read, checked (size cap, not empty), hashed (sha256),
 *      rated, and the record moves pending → rating → completed | rejected | failed, one
 *      conditional step at a time (ingest.ts), so concurrent settlers do the work once. Settling
 *      runs on any read of the record (GET polls), from the sweep, and from an S3 ObjectCreated
 *      event where one is configured;
 *   3. never used: the URL expires before the record's lease (sweep.ts), so a pending upload whose
 *      lease ran out and whose object is absent is failed and detached — no completed record, no
 *      half-written one. An object found while failing it is deleted.
 */
import { createHash } from 'node:crypto';
import { LarderError, ValidationError, describeError } from '../errors';
import { log } from '../log';
import { assessArtifact, currentLinks } from './assess';
import { PRESIGNED_URL_TTL_SECONDS } from './blobs';
import { StatusMoved, isLeaseExpired, leaseOf, retire, transition, type IngestDeps } from './ingest';
import { attachItems } from './links';
import { blobExtension, newArtifactId, normaliseName, parseNewArtifact, validateArtifactId } from './names';
import { describeShortfall } from './rater';
import { toArtifactView } from './records';
import { rerateWaitingModels } from './rerate';
import { withOptimisticRetry } from './retry';
import type { ArtifactRecord, ArtifactView, BlobRef } from './types';

export const UPLOAD_URL_ROUTE = '/artifact/{artifact_type}/upload-url';

export interface UploadUrlInput {
  type: unknown;
  name?: unknown;
  /** Declared size in bytes (optional): over the cap it is refused before anything is recorded. */
  size?: unknown;
  content_type?: unknown;
  file_name?: unknown;
  dataset?: unknown;
  code?: unknown;
}

export interface UploadTicket extends ArtifactView {
  upload: {
    url: string;
    method: 'PUT';
    /** Headers the PUT must send as given (the Content-Type is part of the signature). */
    headers: Record<string, string>;
    expires_at: string;
    max_bytes: number;
  };
  /** GET this to follow the artifact; a GET also registers it once the object has landed. */
  poll: string;
}

const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

export class PresignedUploads {
  constructor(private readonly deps: IngestDeps) {}

  async request(input: UploadUrlInput): Promise<UploadTicket> {
    const { type, name, dependsOn } = parseNewArtifact(input);
    const maxBytes = this.deps.maxIngestBytes;
    if (input.size !== undefined && input.size !== null) {
      if (typeof input.size !== 'number' || !Number.isInteger(input.size) || input.size <= 0) throw new ValidationError('size: expected a positive whole number of bytes');
      if (input.size > maxBytes) throw new LarderError('TOO_LARGE', `size ${input.size} is over the ${maxBytes}-byte limit for presigned uploads (registry.max_ingest_bytes)`, { statusCode: 413 });
    }
    const contentType = input.content_type === undefined || input.content_type === null || input.content_type === '' ? 'application/octet-stream' : input.content_type;
    if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) throw new ValidationError('content_type: expected a MIME type such as application/gzip');
    if (input.file_name !== undefined && (typeof input.file_name !== 'string' || !input.file_name || input.file_name.length > 255 || /[/\\\0]/.test(input.file_name))) {
      throw new ValidationError('file_name: expected a plain file name (no slashes, at most 255 characters)');
    }
    const fileName = input.file_name as string | undefined;
    const { store, blobs } = this.deps;
    const id = newArtifactId();
    const nameNorm = normaliseName(name);
    // The URL dies before the record's lease, so an unused URL can no longer land once the record is failed.
    const expiresIn = Math.max(1, Math.min(PRESIGNED_URL_TTL_SECONDS, Math.floor(leaseOf(this.deps) / 1000) - 60));
    const key = blobs.keyFor(type, nameNorm, id, blobExtension(fileName, contentType));
    const url = await blobs.presignPut(key, contentType, expiresIn);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + expiresIn * 1000).toISOString();
    const stamp = now.toISOString();
    const record: ArtifactRecord = {
      id,
      type,
      name,
      nameNorm,
      version: 1,
      status: 'pending',
      upload: { key, contentType, expiresAt, ...(fileName ? { fileName } : {}) },
      dependsOn,
      createdAt: stamp,
      updatedAt: stamp,
    };
    await withOptimisticRetry('register presigned upload', async () => {
      const attached = await attachItems(store, record);
      await store.create(attached.record, attached.items);
    });
    return {
      ...toArtifactView(record, blobs.bucket),
      upload: { url, method: 'PUT', headers: { 'Content-Type': contentType }, expires_at: expiresAt, max_bytes: maxBytes },
      poll: `/artifacts/${type}/${id}`,
    };
  }

  /** An S3 ObjectCreated event: settles each pending upload it names. */
  async settleEvent(event: S3Event): Promise<{ id: string; state: string }[]> {
    const settled: { id: string; state: string }[] = [];
    for (const r of event.Records) {
      const record = await this.settleKey(r.s3.object.key);
      if (record) settled.push({ id: record.id, state: record.status });
    }
    return settled;
  }

  /** An S3 ObjectCreated event's key: settles the pending upload it belongs to (the id is the file's stem). */
  async settleKey(key: string): Promise<ArtifactRecord | undefined> {
    const stem = decodeURIComponent(key.replace(/\+/g, ' ')).split('/').pop()?.split('.')[0] ?? '';
    let id: string;
    try {
      id = validateArtifactId(stem);
    } catch {
      return undefined;
    }
    const record = await this.deps.store.get(id);
    return record ? settleUpload(this.deps, record) : undefined;
  }
}

export type S3Event = { Records: { eventSource: 'aws:s3'; s3: { object: { key: string } } }[] };

export function isS3Event(event: unknown): event is S3Event {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r?.eventSource === 'aws:s3' && typeof r?.s3?.object?.key === 'string');
}

/** The 413 for a request body over the limit, naming the presigned upload path. */
export function largeBodyError(type: string, err: LarderError): LarderError {
  const path = UPLOAD_URL_ROUTE.replace('{artifact_type}', encodeURIComponent(type));
  const how = `send large artifacts through a presigned upload: POST ${path} with {"name": ...} answers an upload URL; PUT the bytes to it and the artifact is registered when they land`;
  return new LarderError('TOO_LARGE', `${err.message}; ${how}`, { statusCode: 413, details: { upload_path: path } });
}

/** A pending upload: registered if its object has landed, failed if its lease ran out without it; anything else unchanged. */
export async function settleUpload(deps: IngestDeps, record: ArtifactRecord, now = Date.now()): Promise<ArtifactRecord> {
  if (record.status !== 'pending' || !record.upload) return record;
  const size = await deps.blobs.sizeOf(record.upload.key);
  if (size === undefined) {
    if (!isLeaseExpired(record, leaseOf(deps), now)) return record;
    const reason = `the upload URL expired at ${record.upload.expiresAt} without the object being uploaded; ask for a new one`;
    await retire(deps, record.id, ['pending'], 'failed', reason, { upload: undefined }, record.version);
    await deleteQuietly(deps, record.upload.key); // in case a PUT begun before expiry lands after
  } else {
    await completeUpload(deps, record, size);
  }
  return (await deps.store.get(record.id)) ?? record;
}

async function completeUpload(deps: IngestDeps, record: ArtifactRecord, size: number): Promise<void> {
  const upload = record.upload!;
  if (size === 0 || size > deps.maxIngestBytes) {
    const reason = size === 0 ? 'the uploaded object is empty (0 bytes)' : `the uploaded object is ${size} bytes; the limit is ${deps.maxIngestBytes} (registry.max_ingest_bytes)`;
    await retire(deps, record.id, ['pending'], 'failed', reason, { upload: undefined }, record.version);
    await deleteQuietly(deps, upload.key);
    return;
  }
  const bytes = await deps.blobs.get(upload.key);
  const blob: BlobRef = {
    key: upload.key,
    sizeBytes: bytes.length,
    contentType: upload.contentType,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...(upload.fileName ? { fileName: upload.fileName } : {}),
  };
  let claimed: ArtifactRecord;
  try {
    claimed = await transition(deps.store, record.id, 'pending', (r) => ({ ...r, status: 'rating', blob, upload: undefined }));
  } catch (err) {
    if (err instanceof StatusMoved) return; // another settler took it
    throw err;
  }
  try {
    const assessment = await assessArtifact(deps.store, deps.rater, { type: claimed.type, name: claimed.name, bytes, dependencies: await currentLinks(deps.store, claimed) });
    const net = assessment.rating?.net_score;
    if (deps.gateUploads && net !== undefined && net < deps.minNetScore) {
      const reason = `net score ${net} is below the registry's minimum ${deps.minNetScore}; short: ${describeShortfall(assessment.rating!, deps.minNetScore)}`;
      await retire(deps, record.id, ['rating'], 'rejected', reason, { rating: assessment.rating, license: assessment.license, readme: assessment.readme });
      return;
    }
    await transition(deps.store, record.id, 'rating', (r) => ({ ...r, status: 'completed', ...assessment }));
    await rerateWaitingModels(deps, claimed.type, claimed.nameNorm);
  } catch (err) {
    if (err instanceof StatusMoved) return;
    log.warn('presigned upload could not be registered', { artifactId: record.id, error: describeError(err) });
    await retire(deps, record.id, ['rating'], 'failed', `the uploaded object could not be registered: ${(err as Error).message}`);
  }
}

async function deleteQuietly(deps: IngestDeps, key: string): Promise<void> {
  try {
    await deps.blobs.delete(key);
  } catch (err) {
    log.warn('could not delete an expired or refused upload', { key, error: (err as Error).message });
  }
}
