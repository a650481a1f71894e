import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli';
import { FIXTURE_TEMPLATE } from './fixtures';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (err.push(String(chunk)), true));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return { out, err };
}

describe('larder invoke', () => {
  afterEach(() => vi.restoreAllMocks());
  const dir = mkdtempSync(join(tmpdir(), 'larder-cli-'));
  const common = ['--template', FIXTURE_TEMPLATE, '--no-services'];

  it('fails a malformed event file with a clear message and invokes nothing', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"httpMethod": "GET",');
    const { out, err } = capture();
    const code = await runCommand(['invoke', 'EchoFunction', '-e', file, ...common]);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/larder invoke: \[EVENT_INVALID\] event from .*broken\.json is not valid JSON/);
    expect(out.join('')).not.toMatch(/START RequestId/);
  });

  it('fails a missing event file and an unknown function by name', async () => {
    const { err } = capture();
    expect(await runCommand(['invoke', 'EchoFunction', '-e', join(dir, 'nope.json'), ...common])).toBe(1);
    expect(err.join('\n')).toMatch(/event file .*nope\.json not found/);
    expect(await runCommand(['invoke', 'MissingFunction', ...common])).toBe(1);
    expect(err.join('\n')).toMatch(/\[FUNCTION_NOT_FOUND\] function "MissingFunction" is not in .*\(functions: EchoFunction/);
  });

  it('prints the payload on stdout and the REPORT line on stderr; a function error exits 1', async () => {
    const file = join(dir, 'event.json');
    writeFileSync(file, '{"shelf":"C2"}');
    const { out, err } = capture();
    const code = await runCommand(['invoke', 'ThrowsFunction', '-e', file, '--repeat', '2', ...common]);
    expect(code).toBe(1);
    const payloads = out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toMatchObject({ errorType: 'InventoryError', errorMessage: 'shelf C2 is empty' });
    const reports = err.join('').split('\n').filter((l) => l.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/Init Duration/);
    expect(reports[1]).not.toMatch(/Init Duration/);
  });
});
