/** Shared by the emulator's integration tests: the fixture template and an emulator that records its log. */
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator, type EmulatorOptions } from '../../../src/local/emulator';

export const FIXTURE_TEMPLATE = resolve(import.meta.dirname, '../../fixtures/emulator/template.yaml');

export function fixtureEmulator(options: Partial<EmulatorOptions> = {}): { emulator: LambdaEmulator; lines: string[] } {
  const lines: string[] = [];
  const emulator = new LambdaEmulator({
    template: loadTemplate(FIXTURE_TEMPLATE),
    log: (line) => lines.push(line),
    sandboxRoot: join(tmpdir(), 'larder-emulator-tests'),
    asyncRetryAttempts: 0,
    ...options,
  });
  return { emulator, lines };
}

export function parsed(payload: string): any {
  return JSON.parse(payload);
}
