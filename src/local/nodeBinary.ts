/**
 * Which Node runs a function's sandboxes, and whether it matches the function's Runtime. Lambda runs
 * `nodejs22.x` on Node 22; the emulator runs the host's Node unless told otherwise: `--node PATH` (or
 * LARDER_NODE_BINARY) for every function, or LARDER_NODE_<MAJOR> (e.g. LARDER_NODE_22) for the
 * functions whose Runtime names that major, or the Node of that major `larder runtimes install`
 * put in the cache (nodeRuntimes.ts). A mismatch is a warning, never an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LarderError } from '../errors';
import { cachedNodeBinary } from './nodeRuntimes';

const execFileAsync = promisify(execFile);

export interface NodeBinaryChoice {
  /** `--node PATH`: every function, whatever its Runtime. */
  binary?: string;
  /** LARDER_NODE_<MAJOR>: major version (as text, e.g. "22") → binary, for functions declaring that runtime. */
  byMajor?: Record<string, string>;
  /** LARDER_NODE_BINARY: functions no LARDER_NODE_<MAJOR> (or installed runtime) covers. */
  fallback?: string;
  /** Where `larder runtimes install` puts Node binaries (default: runtimesCacheDir()). */
  runtimesDir?: string;
}

/** `nodejs22.x` → 22; undefined for anything that is not a Node runtime. */
export function runtimeMajor(runtime: string | undefined): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * The binary for a function: --node, then LARDER_NODE_<MAJOR> for its runtime, then the Node of that
 * major installed by `larder runtimes install`, then LARDER_NODE_BINARY, then the host's Node.
 */
export function chooseNodeBinary(runtime: string | undefined, choice: NodeBinaryChoice = {}): string {
  if (choice.binary) return choice.binary;
  const major = runtimeMajor(runtime);
  const mapped = major === undefined ? undefined : choice.byMajor?.[String(major)];
  const installed = major === undefined || major === Number(process.versions.node.split('.')[0]) ? undefined : cachedNodeBinary(major, choice.runtimesDir);
  return mapped ?? installed ?? choice.fallback ?? process.execPath;
}

const versions = new Map<string, Promise<string>>();

/** The binary's Node version ("22.23.3"), asked once per binary per process. Throws a clear error if it cannot run. */
export function nodeVersionOf(binary: string): Promise<string> {
  if (binary === process.execPath) return Promise.resolve(process.versions.node);
  let version = versions.get(binary);
  if (!version) {
    version = execFileAsync(binary, ['-p', 'process.versions.node'], { timeout: 15_000, env: { PATH: process.env.PATH ?? '' } }).then(
      ({ stdout }) => {
        const v = stdout.trim();
        if (!/^\d+\.\d+\.\d+/.test(v)) throw new Error(`it printed "${v.slice(0, 80)}" for process.versions.node`);
        return v;
      },
    ).catch((err: Error) => {
      versions.delete(binary);
      throw new LarderError('VALIDATION', `Node binary "${binary}" (--node / LARDER_NODE_*) could not be run: ${err.message}`, { cause: err });
    });
    versions.set(binary, version);
  }
  return version;
}

/** The warning for a function whose Runtime's major differs from the binary's, or undefined when they agree. */
export function runtimeMismatchWarning(functionName: string, runtime: string | undefined, nodeVersion: string): string | undefined {
  const wanted = runtimeMajor(runtime);
  const actual = Number(nodeVersion.split('.')[0]);
  if (wanted === undefined || wanted === actual) return undefined;
  return `${functionName} declares ${runtime} but runs on Node ${nodeVersion}; run \`larder runtimes install ${wanted}\` (or pass --install-node), or set LARDER_NODE_${wanted} or --node to match`;
}
