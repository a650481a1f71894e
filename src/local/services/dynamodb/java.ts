/**
 * What DynamoDB Local needs from the machine: a Java 17+ runtime (checked before anything starts,
 * so a missing one gives one clear message instead of raw shell output), and the small launcher
 * (LarderDynamoDbLocal.java) that makes it listen on one address instead of every interface.
 *
 * The launcher is compiled once per machine with javac into a cache folder under the OS temp dir
 * (keyed by the source's hash, written atomically). Without javac (a JRE only), DynamoDB Local runs
 * with `-jar` as before and the caller is told it listens on all interfaces.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LarderError } from '../../../errors';

export const MIN_JAVA_MAJOR = 17;
const LAUNCHER_SOURCE = fileURLToPath(new URL('./LarderDynamoDbLocal.java', import.meta.url));
export const LAUNCHER_CLASS = 'LarderDynamoDbLocal';

/** Thrown when DynamoDB Local cannot run on this machine: code SERVICE_START, details.reason JAVA_MISSING. */
export function javaMissingError(detail: string): LarderError {
  return new LarderError(
    'SERVICE_START',
    `dynamodb: ${detail}. DynamoDB Local (AWS's own) needs Java ${MIN_JAVA_MAJOR}+ on the PATH: install one ` +
      `(e.g. \`apt-get install openjdk-17-jre-headless\`, \`brew install openjdk@17\`) or set --services without dynamodb. ` +
      'Functions that do not use DynamoDB still run.',
    { details: { service: 'dynamodb', reason: 'JAVA_MISSING' } },
  );
}

const checked = new Map<string, number>();

/** The major version of `javaCommand`, or a JAVA_MISSING error naming what to install. */
export function checkJava(javaCommand = 'java', env: NodeJS.ProcessEnv = process.env): number {
  const known = checked.get(javaCommand + '\0' + (env.PATH ?? ''));
  if (known !== undefined) return known;
  const r = spawnSync(javaCommand, ['-version'], { encoding: 'utf8', env, timeout: 20_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw javaMissingError(code === 'ENOENT' ? `"${javaCommand}" was not found on the PATH` : `"${javaCommand} -version" failed (${r.error.message})`);
  }
  const text = `${r.stderr ?? ''}${r.stdout ?? ''}`;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw javaMissingError(`"${javaCommand} -version" printed no version (${text.trim().slice(0, 200)})`);
  // "1.8.0_392" is Java 8.
  const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
  if (major < MIN_JAVA_MAJOR) throw javaMissingError(`"${javaCommand}" is Java ${major}`);
  checked.set(javaCommand + '\0' + (env.PATH ?? ''), major);
  return major;
}

/**
 * The folder holding the compiled launcher, compiling it on first use; undefined when javac is not
 * available or fails (the reason is returned for the caller's warning).
 */
export function loopbackLauncherDir(jar: string): { dir?: string; reason?: string } {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `larder-dynamodb-launcher-${hash}`);
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return { dir };
  const work = mkdtempSync(join(tmpdir(), 'larder-dynamodb-launcher-build-'));
  try {
    const r = spawnSync('javac', ['-nowarn', '-cp', jar, '-d', work, LAUNCHER_SOURCE], { encoding: 'utf8', timeout: 120_000 });
    if (r.error || r.status !== 0) {
      return { reason: r.error ? `javac: ${r.error.message}` : `javac failed: ${(r.stderr ?? '').trim().slice(0, 300)}` };
    }
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      renameSync(work, dir);
    } catch {
      // Another process compiled it at the same moment: theirs is as good as ours.
      if (!existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) throw new LarderError('INTERNAL', `dynamodb: could not place the launcher in ${dir}`);
    }
    return { dir };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function isJavaMissing(err: unknown): boolean {
  return err instanceof LarderError && err.details?.reason === 'JAVA_MISSING';
}
