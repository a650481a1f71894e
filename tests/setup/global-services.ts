/**
 * vitest globalSetup: starts S3 (s3rver), DynamoDB Local and the Bedrock emulator once per run, on
 * free loopback ports with state in a temp dir, and provides their endpoints to every test file
 * (read them with the helpers in tests/setup/services.ts), then makes sure data_cache/ is built
 * (ensureDataCache: a no-op when current). Stops the services after the run and fails the run if any
 * child process (s3rver's node, DynamoDB Local's java) is still alive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config';
import { startLocalServices } from '../../src/local/services';
import { waitForPidGone } from '../../src/local/services/process';
import type { LarderServicesInfo } from './services';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Quiet logs and no Node-version nag from the SDK in test output (workers inherit this env).
  process.env.LARDER_LOG_LEVEL ??= 'warn';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  if (onlyUnitTestsSelected(process.argv)) return async () => {};

  const dataDir = mkdtempSync(join(tmpdir(), 'larder-test-services-'));
  const config = loadConfig(join(PROJECT_ROOT, 'ml_config.yaml'), {});
  const services = await startLocalServices({ config, dataDir, ports: { s3: 0, dynamodb: 0, bedrock: 0 }, quiet: true });
  const info: LarderServicesInfo = {
    endpoints: services.endpoints,
    directEndpoints: services.directEndpoints,
    env: services.env,
    dataDir,
    pids: services.pids,
  };
  project.provide('larderServices', info);

  // data_cache/ is built (or found current: a few ms of hashing) once here, before any test file
  // runs, so the files that read it do not each build it, nor race each other doing so. Embedded
  // through the run's Bedrock emulator directly (not its fault proxy: no test's fault rule applies).
  try {
    const { ensureDataCache } = await import('../../src/cli/localDataset');
    const t0 = performance.now();
    const built = await ensureDataCache(loadConfig(join(PROJECT_ROOT, 'ml_config.yaml'), { ...services.env, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: services.directEndpoints.bedrock }));
    if (!built.skipped) console.log(`data_cache/ built for this run in ${((performance.now() - t0) / 1000).toFixed(1)} s (${built.reason})`);
  } catch (err) {
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return async () => {
    try {
      await services.stop();
      const survivors: string[] = [];
      for (const [name, pid] of Object.entries(services.pids)) {
        if (pid !== undefined && !(await waitForPidGone(pid, 5000))) survivors.push(`${name} (pid ${pid})`);
      }
      if (survivors.length) throw new Error(`local services left processes running after stop: ${survivors.join(', ')}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

/**
 * `vitest run tests/unit/...` needs no services: skip the ~2–4 s JVM start when every file filter
 * on the command line points into tests/unit. Anything else (no filter, other paths) starts them.
 */
function onlyUnitTestsSelected(argv: string[]): boolean {
  const commandIndex = argv.findIndex((a) => ['run', 'watch', 'dev', 'related'].includes(a));
  const filters = (commandIndex >= 0 ? argv.slice(commandIndex + 1) : argv.slice(2)).filter((a) => !a.startsWith('-'));
  return filters.length > 0 && filters.every((f) => /(^|\/)tests\/unit(\/|$)/.test(f));
}
