/**
 * The runtime fixture apps (tests/fixtures/runtime/*) copied to a temporary folder before they run,
 * as a user's project elsewhere on disk: inside this repository a bare import would find Larder's own
 * node_modules by walking up, which would hide whether layers and the runtime SDK resolve.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator, type EmulatorOptions } from '../../../src/local/emulator';

export const RUNTIME_FIXTURES = resolve(import.meta.dirname, '../../fixtures/runtime');

export interface FixtureApp {
  dir: string;
  emulator: LambdaEmulator;
  lines: string[];
  stop(): Promise<void>;
}

export function runtimeFixtureApp(name: string, options: Partial<EmulatorOptions> = {}): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), `larder-app-${name}-`));
  cpSync(join(RUNTIME_FIXTURES, name), dir, { recursive: true });
  const lines: string[] = [];
  const emulator = new LambdaEmulator({
    template: loadTemplate(join(dir, 'template.yaml')),
    log: (line) => lines.push(line),
    sandboxRoot: join(tmpdir(), 'larder-emulator-tests'),
    asyncRetryAttempts: 0,
    ...options,
  });
  return {
    dir,
    emulator,
    lines,
    async stop() {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
