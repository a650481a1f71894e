/**
 * Hot reload for the edit-run loop: a warm sandbox keeps the code it loaded, so after an edit the
 * emulator must notice and start a fresh one — `sam local start-api` serves old code for up to its
 * idle timeout. A function's stamp is the count, newest mtime and total size of the code files under
 * its task root (the CodeUri, or the bundle folder with --bundle) and its layers. node_modules and
 * other generated or data folders are skipped (cost: Larder's own CodeUri is the project root);
 * reinstalled dependencies need a restart or --cold. The walk runs at most once per `checkEveryMs`,
 * and at most once per 20 walk-durations, so a large tree (larder's own root: ~40 ms on a loaded
 * machine) costs at most ~5 % of a busy server's time. `checkEveryMs: 0` re-walks on every call (tests).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.aws-sam', '.larder', 'data_cache', 'dist', 'coverage', 'bench-results', 'cdk.out']);
const CODE_FILE = /\.(m|c)?(js|ts)x?$|\.json$|\.node$/;
const MAX_ENTRIES = 20_000;

export function codeStamp(dirs: string[]): string {
  let count = 0;
  let newest = 0;
  let bytes = 0;
  let seen = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > MAX_ENTRIES) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(p);
      } else if (CODE_FILE.test(e.name)) {
        try {
          const st = statSync(p);
          count++;
          newest = Math.max(newest, st.mtimeMs);
          bytes += st.size;
        } catch {
          /* removed while walking */
        }
      }
    }
  };
  for (const d of dirs) walk(d);
  return `${count}:${newest}:${bytes}`;
}

/** Remembers each function's last stamp; `changed` says whether its code changed since the last check. */
export class CodeWatcher {
  private readonly last = new Map<string, { stamp: string; at: number; walkMs: number }>();

  constructor(private readonly checkEveryMs = 250) {}

  /** The current stamp (recomputed when the last one is older than checkEveryMs). */
  stamp(key: string, dirs: string[]): string {
    const now = Date.now();
    const prev = this.last.get(key);
    const every = this.checkEveryMs === 0 ? 0 : Math.max(this.checkEveryMs, 20 * (prev?.walkMs ?? 0));
    if (prev && now - prev.at < every) return prev.stamp;
    const started = performance.now();
    const stamp = codeStamp(dirs);
    this.last.set(key, { stamp, at: now, walkMs: performance.now() - started });
    return stamp;
  }
}
