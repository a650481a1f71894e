/**
 * A bounded, crash-safe file cache for one directory (the Lambda's /tmp), usable on its own.
 *
 * Shaped like an unstorage driver (hasItem / getItemRaw / setItemRaw / removeItem / getKeys / getMeta),
 * plus the file-level calls the loader needs: `reserve` (room for a download, evicting least recently
 * used entries) and `put` (fill a temp file, rename into place).
 *
 * Each entry is a file named by its key with `<key>.meta.json` beside it holding the source object's
 * ETag and size (for revalidation with one HeadObject in a new process), the file's own size (a
 * shorter file was truncated: it is deleted, never trusted), its form, when it was last used (LRU)
 * and facts the writer verified, among them a content checksum the reader checks before serving.
 *
 * Temp files are `.tmp-<pid>-<token>-<n>-<key>`: <token> is random per process, so a temp file of a
 * killed writer is recognised even when a new process gets the same pid (Lambda's runtime often
 * does). At start, temp files whose writer is gone (pid not alive, or this pid with another token)
 * are deleted, and they never count against the budget.
 *
 * Why no fsync: the commit is "write the whole file, then rename it into place"; a process killed at
 * any point leaves either no entry or a complete one, because the rename happens only after the last
 * write returned, and the kernel keeps the written pages for every later reader even if the writer
 * dies. An fsync only adds protection against a machine crash or power loss, and in Lambda that
 * wipes the sandbox and its /tmp anyway; elsewhere the metadata's recorded size and the content
 * checksum (verified on every load from the cache) catch a torn file. It cost up to 0.7× of a cold
 * 100k load (400 MB flushed before the rename).
 *
 * Cache problems (ENOSPC, EACCES, a read-only /tmp) are reported as `null` results and log warnings;
 * callers then load without caching. Nothing here throws for a cache problem except `put`'s
 * fill callback's own non-filesystem errors (an S3 failure must still fail the load).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log';
import { crc32 } from './checksum';

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
  /** Renames the complete temp file into place and writes its metadata (see the header: no fsync). */
  commit(key: string, meta: NewEntryMeta): CacheEntryMeta;
  /** Deletes the temp file (if still there) and frees the reserved bytes. Safe to call twice. */
  release(): void;
}

/** Writes the entry's file at the temp path; may return facts known only once it is written (its checksum). */
export type Fill = (tmpPath: string) => NewEntryMeta['facts'] | void | Promise<NewEntryMeta['facts'] | void>;

export interface TmpCacheOptions {
  dir: string;
  maxBytes: number;
  /** Temp files of a live process older than this are leftovers of a hung writer (default 1 hour). */
  staleTempMs?: number;
}

/** This process's temp-file prefix: pid plus a random token (a new process may reuse a dead one's pid). */
const PROCESS_TOKEN = randomBytes(4).toString('hex');
const OWN_TEMP_PREFIX = `.tmp-${process.pid}-${PROCESS_TOKEN}-`;
/** Per process, not per cache: two caches over one directory (two loaders) must never pick the same temp name. */
let tempSeq = 0;

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
  private readonly staleTempMs: number;

  constructor(options: TmpCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.staleTempMs = options.staleTempMs ?? 3_600_000;
    this.reclaimDeadWriters();
  }

  /**
   * Deletes temp files whose writer is gone (a process killed mid-download), once, at start: they
   * would otherwise hold bytes of the budget for an hour (an 86 MB embeddings download of a killed
   * process made a 150 MiB budget refuse to cache the embeddings). Logged with what was reclaimed.
   */
  private reclaimDeadWriters(): void {
    let files = 0;
    let bytes = 0;
    for (const name of this.readdirQuiet()) {
      if (!name.startsWith('.tmp-') || name.startsWith(OWN_TEMP_PREFIX) || writerAlive(name)) continue;
      const path = join(this.dir, name);
      bytes += statQuiet(path)?.size ?? 0;
      files++;
      rmQuiet(path);
    }
    if (files) log.warn('tmp cache: reclaimed temp files of writers that died mid-download', { dir: this.dir, files, bytes });
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

  /** The entry's bytes, or null (absent, unreadable, or not matching its recorded checksum: then dropped). */
  getItemRaw(key: string): Buffer | null {
    const meta = this.getMeta(key);
    if (!meta) return null;
    try {
      const buf = readFileSync(this.dataPath(key));
      if (meta.facts?.checksum !== undefined && crc32(buf) !== meta.facts.checksum) {
        this.removeItem(key, 'content checksum mismatch');
        return null;
      }
      this.touch(key);
      return buf;
    } catch {
      return null;
    }
  }

  /** Stores a buffer; false when it does not fit or the write failed (logged). */
  async setItemRaw(key: string, value: Buffer, meta: NewEntryMeta): Promise<boolean> {
    return (await this.put(key, value.length, meta, (path) => {
      writeFileSync(path, value);
      return { checksum: crc32(value) };
    })) !== null;
  }

  /**
   * Fills a reserved temp file with `fill` and commits it as `key`. On ENOSPC it evicts everything
   * else and tries once more; after that, or on any other filesystem problem, it returns null (the
   * caller loads without caching). Errors `fill` throws that are not filesystem problems propagate.
   */
  async put(key: string, bytes: number, meta: NewEntryMeta, fill: Fill): Promise<CacheEntryMeta | null> {
    return this.fillAndCommit(key, bytes, meta, fill, this.reserve(bytes, key));
  }

  /**
   * put() in two steps: the room is reserved now (null when there is none, so the caller knows at
   * once whether the entry will be cached) and the file is written when `finish` runs — the loader
   * runs it in the background.
   */
  startPut(key: string, bytes: number, meta: NewEntryMeta): { finish(fill: Fill): Promise<CacheEntryMeta | null> } | null {
    const reservation = this.reserve(bytes, key);
    return reservation && { finish: (fill) => this.fillAndCommit(key, bytes, meta, fill, reservation) };
  }

  private async fillAndCommit(key: string, bytes: number, meta: NewEntryMeta, fill: Fill, first: Reservation | null): Promise<CacheEntryMeta | null> {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const reservation = attempt === 1 ? first : this.reserve(bytes, key);
      if (!reservation) return null;
      try {
        // `fill` may return facts known only once the file is written (its checksum).
        const facts = await fill(reservation.tmpPath);
        return reservation.commit(key, facts ? { ...meta, facts: { ...meta.facts, ...facts } } : meta);
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
    const tmpPath = join(this.dir, `${OWN_TEMP_PREFIX}${++tempSeq}-${safeName(keepKey ?? 'download')}`);
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
      commit: (key, meta) => {
        const size = statSync(tmpPath).size;
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

  /**
   * Bytes on disk in entries and in temp files of other live writers, plus bytes reserved by this
   * process not yet written. Temp files of dead writers never count.
   */
  usage(): number {
    let total = this.reservedBytes;
    for (const name of this.readdirQuiet()) {
      if (name.startsWith('.tmp-')) {
        if (!name.startsWith(OWN_TEMP_PREFIX) && writerAlive(name)) total += statQuiet(join(this.dir, name))?.size ?? 0;
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
        if (name.startsWith(OWN_TEMP_PREFIX)) continue;
        const st = statQuiet(path);
        if (st && (!writerAlive(name) || now - st.mtimeMs >= this.staleTempMs)) rmQuiet(path);
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
    const tmp = join(this.dir, `${OWN_TEMP_PREFIX}${++tempSeq}-meta`);
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

/**
 * Whether the process that wrote a temp file (`.tmp-<pid>-<token>-…`) may still be writing it. This
 * pid with another token is a dead predecessor; a pid that does not exist is dead; EPERM means it
 * exists (another user's). Names without a pid are treated as alive and left to the age sweep.
 */
function writerAlive(name: string): boolean {
  const m = /^\.tmp-(\d+)-([0-9a-f]{8})?/.exec(name);
  if (!m) return true;
  const pid = Number(m[1]);
  if (pid === process.pid) return m[2] === PROCESS_TOKEN;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
