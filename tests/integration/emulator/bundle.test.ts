import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleFunctions } from '../../../src/local/bundle';
import { loadTemplate } from '../../../src/local/template';
import { FIXTURE_TEMPLATE, fixtureEmulator, parsed } from './fixtures';
import type { LambdaEmulator } from '../../../src/local/emulator';

describe('the bundle step and --bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'larder-bundle-test-'));
  let emulator: LambdaEmulator | undefined;
  afterAll(async () => {
    await emulator?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('bundles a function with the template\'s esbuild settings and runs the bundle without a TypeScript loader', async () => {
    const [report] = await bundleFunctions({ template: loadTemplate(FIXTURE_TEMPLATE), outDir, only: ['EchoFunction'], rootDir: resolve(import.meta.dirname, '../../..') });
    expect(report).toMatchObject({ logicalId: 'EchoFunction', status: 'built', fitsZipLimit: true });
    expect(existsSync(join(outDir, 'EchoFunction', 'echo.mjs'))).toBe(true);
    // A user's function (this fixture imports nothing of Larder's) never gets Larder's own config.
    expect(existsSync(join(outDir, 'EchoFunction', 'ml_config.yaml'))).toBe(false);

    ({ emulator } = fixtureEmulator({ bundleDir: outDir }));
    const result = await emulator.invoke('EchoFunction', { via: 'bundle' });
    expect(result.functionError).toBeUndefined();
    expect(parsed(result.payload).event).toEqual({ via: 'bundle' });
    expect(parsed(result.payload).env.LAMBDA_TASK_ROOT).toBe(join(outDir, 'EchoFunction'));
    expect(result.report.init?.loaderMs).toBe(0);
  });

  it('says to run the build when a bundle is missing', async () => {
    const { emulator: other } = fixtureEmulator({ bundleDir: outDir });
    try {
      await expect(other.invoke('ThrowsFunction', {})).rejects.toThrow(/no bundle at .*ThrowsFunction.*run `npm run build` first/);
    } finally {
      await other.stop();
    }
  });
});
