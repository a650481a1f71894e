/**
 * Which warm sandboxes may serve the next call: those started from the code that is on disk now.
 * The emulator asks `check(fn)` before each invocation: when the function's code stamp
 * (codeStamp.ts) differs from the last one seen, its idle sandboxes are retired and the call starts
 * cold with the new code; a sandbox busy during the edit is not reused when it is released.
 */
import type { FunctionDefinition, LoadedTemplate } from './template';
import { locateHandler } from './handlerLocation';
import { resolveLayers, type LayerMap } from './layers';
import { CodeWatcher } from './codeStamp';

export class HotReload {
  private readonly watcher: CodeWatcher;
  private readonly dirs = new Map<string, string[]>();
  private readonly seen = new Map<string, string>();

  constructor(private readonly settings: { template: LoadedTemplate; bundleDir?: string; layerMap?: LayerMap; checkEveryMs?: number }) {
    this.watcher = new CodeWatcher(settings.checkEveryMs);
  }

  /** The function's current stamp, and whether it changed since the previous call. */
  check(fn: FunctionDefinition): { stamp: string; changed: boolean } {
    const stamp = this.watcher.stamp(fn.logicalId, this.dirsOf(fn));
    const before = this.seen.get(fn.logicalId);
    this.seen.set(fn.logicalId, stamp);
    return { stamp, changed: before !== undefined && before !== stamp };
  }

  /** True when a sandbox started with `stamp` still runs the code on disk. */
  current(fn: FunctionDefinition, stamp: string | undefined): boolean {
    return stamp === undefined || this.seen.get(fn.logicalId) === undefined || this.seen.get(fn.logicalId) === stamp;
  }

  private dirsOf(fn: FunctionDefinition): string[] {
    let dirs = this.dirs.get(fn.logicalId);
    if (!dirs) {
      let taskRoot = fn.codeDir;
      try {
        taskRoot = locateHandler(fn, this.settings.bundleDir).taskRoot;
      } catch {
        /* the invocation itself reports a missing handler */
      }
      dirs = [taskRoot, ...resolveLayers(this.settings.template, fn, this.settings.layerMap).layers.map((l) => l.dir)];
      this.dirs.set(fn.logicalId, dirs);
    }
    return dirs;
  }
}
