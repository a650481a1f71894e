/**
 * A bounded, crash-safe file cache for one directory (the Lambda's /tmp), usable on its own.
 *
 * Shaped like an unstorage driver (hasItem / getItemRaw / setItemRaw / removeItem / getKeys / getMeta),
 * plus the file-level calls the loader needs: `reserve` (room for a download, evicting least recently
 * used entries) and `put` (fill a temp file, fsync, rename into place).
 *
 * Each entry is a file named by its key (keep an extension in the key: nodejs-polars only reads
 * paths ending in .parquet) with `<key>.meta.json` beside it holding the source object's ETag and
 * size (for revalidation with one HeadObject in a new process), the file's own size (a shorter file
 * was truncated: it is deleted, never trusted), its form and when it was last used (LRU).
 * Temp files start with `.tmp-`; a crash leaves only those, and they are swept later.
 *
 * Cache problems (ENOSPC, EACCES, a read-only /tmp) are reported as `null` results and log warnings;
 * callers then load without caching. Nothing here throws for a cache problem except `put`'s
 * fill callback's own non-filesystem errors (an S3 failure must still fail the load).
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log';

export interface CacheEntryMeta {
  key: string;
  /** ETag of the source object (quotes kept as S3 sends them). */
  etag: string;
  /** Size of the source object. */
  sourceBytes: number;
  /** Size of the cached file (may differ from the source for a derived form). */
  bytes: number;
  /** 'object' = the bytes as downloaded; anything else names a derived form (e.g. 'vectors'). */
  form: string;
  storedAt: string;
  lastUsedMs: number;
  /** Facts the writer verified about these exact bytes (e.g. vectors already normalised). */
  facts?: Record<string, string | number | boolean>;
}

export type NewEntryMeta = Pick<CacheEntryMeta, 'etag' | 'sourceBytes' | 'form' | 'facts'>;

export interface Reservation {
  /** Write here; it is in the cache directory, so a rename into place is atomic. */
  readonly tmpPath: string;
  readonly bytes: number;
  /** fsyncs the temp file (unless `synced` by syncInBackground), renames it into place, writes its metadata. */
  commit(key: string, meta: NewEntryMeta, options?: { synced?: boolean }): CacheEntryMeta;
  /** fsyncs the temp file on the thread pool, so the caller can decode it meanwhile. */
  syncInBackground(): Promise<void>;
  /** Deletes the temp file (if still there) and frees the reserved bytes. Safe to call twice. */
  release(): void;
}

export interface TmpCacheOptions {
  dir: string;
  maxBytes: number;
  /** Temp files older than this are leftovers of a crashed process (default 1 hour). */
  staleTempMs?: number;
}

const FS_PROBLEMS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EMFILE', 'ENFILE']);

/** True for filesystem errors that mean "the cache can't do this", not "the data is bad". */
export function isCacheProblem(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && FS_PROBLEMS.has(code);
}

export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export class TmpCache {
  readonly dir: string;
  readonly maxBytes: number;
  private reservedBytes = 0;
  private tempSeq = 0;
  private readonly staleTempMs: number;

  constructor(options: TmpCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.staleTempMs = options.staleTempMs ?? 3_600_000;
  }

  hasItem(key: string): boolean {
    return this.getMeta(key) !== null;
  }

  /** The entry's metadata, or null. An entry whose file is missing or of the wrong size is deleted. */
  getMeta(key: string): CacheEntryMeta | null {
    let meta: CacheEntryMeta;
    try {
      meta = JSON.parse(readFileSync(this.metaPath(key), 'utf8')) as CacheEntryMeta;
    } catch {
      return null;
    }
    let size: number;
    try {
      size = statSync(this.dataPath(key)).size;
    } catch {
      this.removeItem(key, 'data file missing');
      return null;
    }
    if (size !== meta.bytes) {
      this.removeItem(key, `truncated or overwritten: ${size} bytes on disk, ${meta.bytes} expected`);
      return null;
    }
    return meta;
  }

  /** The path of an entry's data file (whether or not it exists). */
  getPath(key: string): string {
    return this.dataPath(key);
  }

  getItemRaw(key: string): Buffer | null {
    if (!this.getMeta(key)) return null;
    try {
      this.touch(key);
      return readFileSync(this.dataPath(key));
    } catch {
      return null;
    }
  }

  /** Stores a buffer; false when it does not fit or the write failed (logged). */
  async setItemRaw(key: string, value: Buffer, meta: NewEntryMeta): Promise<boolean> {
    return (await this.put(key, value.length, meta, (path) => writeFileSync(path, value))) !== null;
  }

  /**
   * Fills a reserved temp file with `fill` and commits it as `key`. On ENOSPC it evicts everything
   * else and tries once more; after that, or on any other filesystem problem, it returns null (the
   * caller loads without caching). Errors `fill` throws that are not filesystem problems propagate.
   */
  async put(key: string, bytes: number, meta: NewEntryMeta, fill: (tmpPath: string) => void | Promise<void>): Promise<CacheEntryMeta | null> {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const reservation = this.reserve(bytes, key);
      if (!reservation) return null;
      try {
        await fill(reservation.tmpPath);
        return reservation.commit(key, meta);
      } catch (err) {
        reservation.release();
        if (isNoSpace(err) && attempt === 1) {
          log.warn('tmp cache: no space left while writing; evicting and retrying once', { key, dir: this.dir });
          this.evictAll(key);
          continue;
        }
        if (isCacheProblem(err)) {
          log.warn('tmp cache: write failed; loading without caching', { key, dir: this.dir, error: (err as Error).message });
          return null;
        }
        throw err;
      }
    }
    return null;
  }

  /**
   * Reserves room for `bytes` (evicting least recently used entries other than `keepKey`) and
   * returns a temp path to write to, or null when `bytes` exceeds the whole budget or the directory
   * is unusable.
   */
  reserve(bytes: number, keepKey?: string): Reservation | null {
    if (bytes > this.maxBytes) return null;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      log.warn('tmp cache: directory unusable; loading without caching', { dir: this.dir, error: (err as Error).message });
      return null;
    }
    if (keepKey !== undefined && this.getMeta(keepKey)) this.removeItem(keepKey, 'being replaced');
    this.evictUntilFits(bytes);
    if (this.usage() + bytes > this.maxBytes) return null;
    this.reservedBytes += bytes;
    // The key stays last so the temp file keeps the entry's extension.
    const tmpPath = join(this.dir, `.tmp-${process.pid}-${++this.tempSeq}-${safeName(keepKey ?? 'download')}`);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.reservedBytes -= bytes;
      rmQuiet(tmpPath);
    };
    return {
      tmpPath,
      bytes,
      release,
      // openSync + callback fsync: queued on the thread pool before the caller's synchronous work starts.
      syncInBackground: () =>
        new Promise<void>((resolve, reject) => {
          const fd = openSync(tmpPath, 'r+');
          fsync(fd, (err) => {
            closeSync(fd);
            if (err) reject(err);
            else resolve();
          });
        }),
      commit: (key, meta, options) => {
        const size = options?.synced ? statSync(tmpPath).size : syncAndSize(tmpPath);
        const full: CacheEntryMeta = { key, ...meta, bytes: size, storedAt: new Date().toISOString(), lastUsedMs: Date.now() };
        renameSync(tmpPath, this.dataPath(key));
        this.writeMeta(full);
        released = true;
        this.reservedBytes -= bytes;
        return full;
      },
    };
  }

  /** Marks an entry as just used (LRU order). */
  touch(key: string): void {
    const meta = this.readMetaQuiet(key);
    if (meta) this.writeMeta({ ...meta, lastUsedMs: Date.now() });
  }

  removeItem(key: string, reason?: string): void {
    if (reason) log.warn('tmp cache: dropping entry', { key, reason, dir: this.dir });
    rmQuiet(this.metaPath(key));
    rmQuiet(this.dataPath(key));
  }

  getKeys(): string[] {
    return this.listEntries().map((m) => m.key);
  }

  /** Bytes on disk in entries and temp files, plus bytes reserved by this process not yet written. */
  usage(): number {
    let total = this.reservedBytes;
    for (const name of this.readdirQuiet()) {
      if (name.startsWith('.tmp-')) {
        if (!name.startsWith(`.tmp-${process.pid}-`)) total += statQuiet(join(this.dir, name))?.size ?? 0;
      } else if (!name.endsWith('.meta.json')) total += statQuiet(join(this.dir, name))?.size ?? 0;
    }
    return total;
  }

  clear(): void {
    for (const key of this.getKeys()) this.removeItem(key);
  }

  /** Entries, least recently used first. Sweeps stale temp files and data files without metadata. */
  listEntries(): CacheEntryMeta[] {
    const now = Date.now();
    const entries: CacheEntryMeta[] = [];
    for (const name of this.readdirQuiet()) {
      const path = join(this.dir, name);
      if (name.startsWith('.tmp-')) {
        const st = statQuiet(path);
        if (st && now - st.mtimeMs >= this.staleTempMs) rmQuiet(path);
      } else if (name.endsWith('.meta.json')) {
        const meta = this.readMetaQuiet(name.slice(0, -'.meta.json'.length));
        if (meta) entries.push(meta);
      }
    }
    return entries.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  }

  private evictUntilFits(bytes: number): void {
    for (const entry of this.listEntries()) {
      if (this.usage() + bytes <= this.maxBytes) return;
      log.info('tmp cache: evicting least recently used entry', { key: entry.key, bytes: entry.bytes, budgetBytes: this.maxBytes });
      this.removeItem(entry.key);
    }
  }

  private evictAll(exceptKey: string): void {
    for (const entry of this.listEntries()) if (entry.key !== exceptKey) this.removeItem(entry.key);
  }

  private readMetaQuiet(key: string): CacheEntryMeta | null {
    try {
      return JSON.parse(readFileSync(this.metaPath(key), 'utf8')) as CacheEntryMeta;
    } catch {
      return null;
    }
  }

  private writeMeta(meta: CacheEntryMeta): void {
    const tmp = join(this.dir, `.tmp-${process.pid}-${++this.tempSeq}-meta`);
    writeFileSync(tmp, JSON.stringify(meta));
    renameSync(tmp, this.metaPath(meta.key));
  }

  private readdirQuiet(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  private dataPath(key: string): string {
    return join(this.dir, safeName(key));
  }

  private metaPath(key: string): string {
    return join(this.dir, `${safeName(key)}.meta.json`);
  }
}

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Deletes a file, ignoring every error: a cache that can't delete must not fail the load. */
function rmQuiet(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the directory is gone or unusable; nothing to clean
  }
}

function statQuiet(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function syncAndSize(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
    return statSync(path).size;
  } finally {
    closeSync(fd);
  }
}
