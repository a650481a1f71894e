/**
 * Streams tables from S3 through the bounded /tmp cache (Lambda). Per table, per process:
 *   - a `lambda_source: package` table is read from the function package when it is there;
 *   - otherwise one HeadObject; a cache entry with the same ETag and size is used as is (source
 *     'tmp'); a changed, truncated or unreadable entry is dropped and fetched again;
 *   - a miss downloads with parallel ranged GETs into memory (source 's3') and decodes there; the
 *     /tmp copy is written in the background (settled() waits for it), so no answer waits on /tmp.
 *     Embeddings are cached in their derived vector form, not as Parquet (see vectorFile.ts);
 *   - a table bigger than the cache budget, or any cache failure, loads through memory uncached
 *     with a warning: a cache problem never fails the load;
 *   - every cached file carries a content checksum, verified before it is served: a file whose bytes
 *     changed (same size or not) is dropped and fetched again;
 *   - S3 5xx / throttling / dropped connections are retried with back-off within the invocation's
 *     remaining time (bindInvocation); when S3 still cannot be asked and a verified /tmp copy
 *     exists, that copy is served (stale-if-error, logged once per table).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { tableConfig, tablePackagePath, tableS3Key, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { log } from '../log';
import { BaseDataLoader, type FetchedTable } from './baseLoader';
import { ContentChecksumError, crc32 } from './checksum';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { createProgress } from './progress';
import { downloadToBuffer, headObject, type DownloadOptions, type ObjectHead, type ObjectRef } from './s3Object';
import type { TableDecoder } from './tableDecoders';
import type { InvocationClock, LoaderCacheState } from './types';
import { isCacheProblem, type CacheEntryMeta, type Reservation, type TmpCache } from './tmpCache';

export interface S3StreamingLoaderOptions {
  s3: S3Client;
  cache: TmpCache;
  /** LAMBDA_TASK_ROOT, where `lambda_source: package` tables are shipped. */
  taskRoot?: string;
  /** Back-off settings (the deadline comes from bindInvocation). */
  retry?: Partial<Omit<RetryPolicy, 'remainingMs'>>;
}

export class S3StreamingLoader extends BaseDataLoader {
  readonly kind = 's3' as const;
  readonly cache: TmpCache;
  private readonly s3: S3Client;
  private readonly taskRoot?: string;
  private readonly retry: RetryPolicy;
  private invocation?: InvocationClock;
  private readonly staleServed = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(config: LarderConfig, options: S3StreamingLoaderOptions) {
    super(config);
    this.s3 = options.s3;
    this.cache = options.cache;
    this.taskRoot = options.taskRoot;
    this.retry = { ...DEFAULT_RETRY, ...options.retry, remainingMs: () => this.invocation?.getRemainingTimeInMillis() };
  }

  /** The current invocation's clock: S3 retries stop in time for the handler to answer. */
  bindInvocation(context: InvocationClock | undefined): void {
    this.invocation = context;
  }

  cacheState(): LoaderCacheState {
    return {
      loader: 'S3StreamingLoader',
      dir: this.cache.dir,
      bucket: this.config.s3.bucket,
      budgetBytes: this.cache.maxBytes,
      usedBytes: this.cache.usage(),
      entries: this.cache.listEntries().map((e) => ({ table: e.key, bytes: e.bytes, form: e.form, etag: e.etag, lastUsedAt: new Date(e.lastUsedMs).toISOString() })),
    };
  }

  protected async fetchTable<T>(decoder: TableDecoder<T>): Promise<FetchedTable<T>> {
    const fromPackage = await this.fromPackage(decoder);
    if (fromPackage) return fromPackage;
    const ref: ObjectRef = { bucket: this.config.s3.bucket, key: tableS3Key(this.config, decoder.table) };
    // Nothing cached to revalidate (a cold /tmp): no HeadObject, the first ranged GET tells the
    // size and ETag (s3Object.ts) — one round trip less per table on a cold start.
    if (!cacheKeys(decoder).some((key) => this.cache.getMeta(key))) return this.fromS3Once(decoder, ref);
    // Revalidate and read at once: the HeadObject round trip overlaps the read of the cached file.
    const headRequest = headObject(this.s3, ref, this.retry);
    const candidate = this.readCached(decoder);
    const [head, cachedRead] = await Promise.allSettled([headRequest, candidate]);
    if (head.status === 'rejected') {
      const stale = cachedRead.status === 'fulfilled' ? this.staleIfError(decoder.table, cachedRead.value, head.reason) : null;
      if (stale) return stale;
      throw head.reason;
    }
    const hit = cachedRead.status === 'fulfilled' ? this.acceptCached(head.value, cachedRead.value) : null;
    if (hit) return hit;
    return this.fromS3Once(decoder, ref, head.value);
  }

  /** fromS3, started over once (with the object's new size and ETag) when it is replaced mid-download. */
  private async fromS3Once<T>(decoder: TableDecoder<T>, ref: ObjectRef, head?: ObjectHead): Promise<FetchedTable<T>> {
    try {
      return await this.fromS3(decoder, ref, head);
    } catch (err) {
      // The object was replaced during the download (If-Match failed): start over once with its new ETag.
      if (!(err instanceof LarderError) || err.code !== 'CONFLICT') throw err;
      log.warn('object changed during download; fetching the new version', { table: decoder.table, key: ref.key });
      return this.fromS3(decoder, ref);
    }
  }

  /**
   * S3 could not be asked (5xx / throttling / connection failures after every retry the time
   * allowed): serve the verified /tmp copy rather than fail the invocation. Only for those errors —
   * a missing object or a denied request is an answer, not an outage.
   */
  private staleIfError<T>(table: string, cached: { value: T; meta: CacheEntryMeta; key: string } | null, err: unknown): FetchedTable<T> | null {
    if (!cached || !(err instanceof LarderError) || (err.code !== 'UPSTREAM' && err.code !== 'THROTTLED')) return null;
    if (!this.staleServed.has(table)) {
      this.staleServed.add(table);
      log.warn('S3 unavailable; serving the verified /tmp copy (stale-if-error)', { table, etag: cached.meta.etag, storedAt: cached.meta.storedAt, error: err.message });
    }
    return { value: cached.value, source: 'tmp', bytes: cached.meta.bytes, cached: true, stale: true };
  }

  private async fromPackage<T>(decoder: TableDecoder<T>): Promise<FetchedTable<T> | null> {
    if (tableConfig(this.config, decoder.table).lambda_source !== 'package' || !this.taskRoot) return null;
    const path = tablePackagePath(this.config, decoder.table, this.taskRoot);
    if (!existsSync(path)) {
      log.warn('table not in the function package; reading it from S3', { table: decoder.table, path });
      return null;
    }
    return { value: await decoder.decodeParquet(path, path), source: 'package', bytes: statSync(path).size };
  }

  /**
   * Reads the cached copy if there is one: the object as downloaded (`<table>.parquet`) or, for a
   * table with a derived form (the embeddings), that form. Null when absent or unreadable (an
   * unreadable entry is dropped).
   */
  private async readCached<T>(decoder: TableDecoder<T>): Promise<{ value: T; meta: CacheEntryMeta; key: string } | null> {
    for (const key of cacheKeys(decoder)) {
      const meta = this.cache.getMeta(key);
      if (!meta) continue;
      const path = this.cache.getPath(key);
      try {
        const facts = meta.facts ?? {};
        if (decoder.derived && meta.form !== decoder.derived.form) throw new Error(`cached as "${meta.form}", not "${decoder.derived.form}" (an older Larder's cache)`);
        const value = decoder.derived ? await decoder.derived.read(path, facts) : await this.readVerified(decoder, path, facts);
        return { value, meta, key };
      } catch (err) {
        this.cache.removeItem(key, err instanceof ContentChecksumError ? err.message : `unreadable: ${(err as Error).message}`);
      }
    }
    return null;
  }

  /** A cached table file read whole, checked against its recorded checksum, then decoded. */
  private async readVerified<T>(decoder: TableDecoder<T>, path: string, facts: Record<string, unknown>): Promise<T> {
    const buf = await readFile(path);
    if (typeof facts.checksum !== 'number') throw new ContentChecksumError(`${path} (no checksum recorded)`);
    if (crc32(buf) !== facts.checksum) throw new ContentChecksumError(path);
    return decoder.decodeParquet(buf, path);
  }

  /** Uses the cached copy when it was made from the object S3 has now (same ETag and size). */
  private acceptCached<T>(head: ObjectHead, cached: { value: T; meta: CacheEntryMeta; key: string } | null): FetchedTable<T> | null {
    if (!cached) return null;
    const { meta, key } = cached;
    if (meta.etag !== head.etag || meta.sourceBytes !== head.size) {
      this.cache.removeItem(key, `stale: cached from ETag ${meta.etag} (${meta.sourceBytes} bytes), S3 has ${head.etag} (${head.size} bytes)`);
      return null;
    }
    this.cache.touch(key);
    return { value: cached.value, source: 'tmp', bytes: meta.bytes, cached: true };
  }

  /** Downloads a table (its head known from HeadObject, or learnt from the first GET) and decodes it in memory. */
  private async fromS3<T>(decoder: TableDecoder<T>, ref: ObjectRef, knownHead?: ObjectHead): Promise<FetchedTable<T>> {
    const label = `s3://${ref.bucket}/${ref.key}`;
    const progress = createProgress(label, knownHead?.size ?? 0);
    const derived = decoder.derived;
    const formKey = derived ? `${decoder.table}.${derived.form}` : `${decoder.table}.parquet`;
    // A table with a derived form (the embeddings) reserves its temp file as soon as the size is
    // known, before the bulk of the download: a writer killed mid-download leaves a file the next
    // start reclaims.
    const reserved: { slot: Reservation | null; touched?: Promise<boolean> } = { slot: null };
    const onHead = (head: ObjectHead) => {
      progress.setTotal(head.size);
      this.warnIfTooBig(decoder.table, head.size, Boolean(derived));
      if (derived) {
        reserved.slot = this.cache.reserve(head.size, formKey);
        if (reserved.slot) reserved.touched = touchFile(reserved.slot.tmpPath);
      }
    };
    const options: DownloadOptions = { head: knownHead, onHead, partBytes: this.config.cache.download_part_bytes, concurrency: this.config.cache.download_concurrency, progress, retry: this.retry };
    let cached = false;
    const phases = { downloadMs: 0, decodeMs: 0 }; // the /tmp write runs after, in the background
    const timed = async <R>(phase: keyof typeof phases, f: () => R | Promise<R>): Promise<R> => {
      const t = performance.now();
      try {
        return await f();
      } finally {
        phases[phase] += Math.round(performance.now() - t);
      }
    };
    for (const key of cacheKeys(decoder)) this.cache.removeItem(key); // stale or absent: replaced below

    let downloaded: { bytes: Buffer; head: ObjectHead };
    try {
      downloaded = await timed('downloadMs', () => downloadToBuffer(this.s3, ref, options));
    } catch (err) {
      await reserved.touched?.catch(() => false);
      reserved.slot?.release();
      throw err;
    }
    const { bytes, head } = downloaded;
    const objectMeta = { etag: head.etag, sourceBytes: head.size, form: 'object' };
    let value: T;
    if (!derived) {
      // Decoded from memory; the bytes that decoded are cached with their checksum in the
      // background (settled() waits for it), so serving the table never waits on /tmp.
      value = await timed('decodeMs', () => this.decodeFresh(decoder, bytes, label, formKey));
      const entry = this.cache.startPut(formKey, head.size, objectMeta);
      cached = entry !== null;
      if (entry) {
        this.inBackground(decoder.table, async () => {
          await entry.finish(async (tmpPath) => {
            await writeFile(tmpPath, bytes);
            return { checksum: crc32(bytes) };
          });
        });
      }
    } else {
      // Decoded in memory (the vectors become a view over the downloaded bytes) and answered from;
      // the derived form is written to /tmp and committed in the background (settled() waits for
      // it): the first answer after a cold start never waits on /tmp.
      let slot = reserved.slot;
      try {
        if (slot && reserved.touched && !(await reserved.touched)) {
          slot.release();
          slot = null;
        }
        value = await timed('decodeMs', () => this.decodeFresh(decoder, bytes, label, formKey, () => derived.decodeDownload(bytes, label)));
      } catch (err) {
        slot?.release();
        throw err;
      }
      const v = value;
      const need = derived.maxBytes(v);
      if (slot && need > slot.bytes) {
        slot.release();
        slot = null;
      }
      slot ??= this.cache.reserve(need, formKey);
      if (slot) {
        const s = slot;
        cached = true;
        this.inBackground(decoder.table, async () => {
          try {
            const facts = await derived.writeInBackground(s.tmpPath, v);
            s.commit(formKey, { ...objectMeta, form: derived.form, facts });
          } finally {
            s.release();
          }
        });
      } else this.warnIfTooBig(decoder.table, need);
    }

    progress.done({ table: decoder.table, cached, ...phases });
    return { value, source: 's3', bytes: head.size, cached };
  }

  /**
   * Resolves once every cache write running in the background (see fromS3) has been committed or
   * given up. Handlers that report the cache call it first; nothing else needs to.
   */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Runs a cache write after the table is served; a failure is logged (the table is fetched again next cold start). */
  private inBackground(table: string, write: () => Promise<void>): void {
    const task = write()
      .catch((err) => log.warn('tmp cache: background write failed; not cached', { table, error: (err as Error).message }))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private async decodeFresh<T, R = T>(decoder: TableDecoder<T>, source: string | Buffer, label: string, key: string, decode?: (source: string | Buffer, label: string) => R | Promise<R>): Promise<R> {
    try {
      return decode ? await decode(source, label) : ((await decoder.decodeParquet(source, label)) as unknown as R);
    } catch (err) {
      // A freshly downloaded object that does not decode is bad data in S3, not a cache problem.
      this.cache.removeItem(key);
      throw err instanceof LarderError ? err : new LarderError('TABLE_INVALID', `${label}: ${(err as Error).message}`, { cause: err });
    }
  }

  private warnIfTooBig(table: string, bytes: number, mayShrink = false): void {
    // A table cached in a derived form may still fit after decoding; it warns when that fails too.
    if (bytes <= this.cache.maxBytes || mayShrink) return;
    const headroom = this.config.cache.headroom_bytes;
    const neededMb = Math.ceil((bytes + headroom) / 2 ** 20);
    log.warn('table too big for the /tmp cache budget; loading without caching (every cold start downloads it)', {
      table,
      neededBytes: bytes,
      budgetBytes: this.cache.maxBytes,
      hint: `set cache.budget_bytes / LARDER_CACHE_BUDGET_BYTES ≥ ${bytes}, or EphemeralStorage ≥ ${neededMb} MB`,
    });
  }
}

/** Creates (or empties) `path`; false when the cache directory cannot take it. */
async function touchFile(path: string): Promise<boolean> {
  try {
    await writeFile(path, '');
    return true;
  } catch (err) {
    if (!isCacheProblem(err)) throw err;
    return false;
  }
}

/** The cache keys a table may be stored under: the object as downloaded, then its derived form (older versions cached embeddings as downloaded). */
function cacheKeys(decoder: TableDecoder<unknown>): string[] {
  return decoder.derived ? [`${decoder.table}.parquet`, `${decoder.table}.${decoder.derived.form}`] : [`${decoder.table}.parquet`];
}
