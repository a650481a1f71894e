/**
 * Choosing the sandboxes' Node (`--node`, LARDER_NODE_BINARY, LARDER_NODE_<MAJOR>). Only one Node is
 * installed here, so the chosen "binary" is a wrapper script that records each call in a log file and
 * execs this process's Node; a variant answers a made-up version to `-p process.versions.node`, which
 * is how the emulator asks, to exercise the Runtime-mismatch warning on any host.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fixtureEmulator, FIXTURE_TEMPLATE, parsed } from './fixtures';
import { bundleFunctions } from '../../../src/local/bundle';
import { loadTemplate } from '../../../src/local/template';
import { runCommand } from '../../../src/cli';
import { runtimeMismatchWarning } from '../../../src/local/nodeBinary';
import type { LambdaEmulator } from '../../../src/local/emulator';

const dir = mkdtempSync(join(tmpdir(), 'larder-node-binary-'));

/** A wrapper around this Node; `claimedVersion` (if given) is what it answers when asked its version. */
function wrapper(name: string, claimedVersion?: string): { path: string; calls: () => string[] } {
  const path = join(dir, name);
  const log = join(dir, `${name}.calls`);
  const lie = claimedVersion ? `if [ "$1" = "-p" ] && [ "$2" = "process.versions.node" ]; then echo "${claimedVersion}"; exit 0; fi\n` : '';
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${log}'\n${lie}exec '${process.execPath}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ranBootstrap = (calls: string[]) => calls.some((c) => c.includes('bootstrap.mjs'));
const mismatchLines = (lines: string[]) => lines.filter((l) => /declares nodejs\d+\.x but runs on Node/.test(l));

describe('the Node binary the sandboxes run on', () => {
  const emulators: LambdaEmulator[] = [];
  const track = (options: Parameters<typeof fixtureEmulator>[0]) => {
    const made = fixtureEmulator(options);
    emulators.push(made.emulator);
    return made;
  };
  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.stop()));
  });

  it('runs the function built from its TypeScript sources (BuildMethod esbuild, as sam build) on the chosen binary, asking its version once', async () => {
    const node = wrapper('node-honest');
    const { emulator, lines } = track({ node: { binary: node.path } });
    const first = await emulator.invoke('NodeVersionFunction', {});
    const second = await emulator.invoke('NodeVersionFunction', {}, { cold: true });
    expect(first.functionError).toBeUndefined();
    expect(second.coldStart).toBe(true);
    // The wrapper exec'd this Node, so the handler sees it; the esbuild bundle needs no TypeScript loader.
    expect(parsed(first.payload)).toMatchObject({ version: process.version, execPath: process.execPath });
    expect(first.report.init?.loaderMs).toBe(0);
    const calls = node.calls();
    expect(calls.filter((c) => c === '-p process.versions.node')).toHaveLength(1);
    expect(calls.filter((c) => c.includes('bootstrap.mjs'))).toHaveLength(2);
    expect(calls.find((c) => c.includes('bootstrap.mjs'))).toMatch(/--max-old-space-size=\d+/);
    // Warned (once) only when this host's major differs from the fixture's nodejs22.x.
    const expected = runtimeMismatchWarning('NodeVersionFunction', 'nodejs22.x', process.versions.node);
    expect(mismatchLines(lines)).toEqual(expected ? [`[larder] warning: ${expected}`] : []);
    // REPORT lines are untouched by the choice.
    expect(second.report.line).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/);
  });

  it('warns once per function when the binary\'s major differs from the Runtime, and runs anyway', async () => {
    const node = wrapper('node-claims-19', '19.0.0');
    const { emulator, lines } = track({ node: { binary: node.path } });
    const first = await emulator.invoke('NodeVersionFunction', {});
    await emulator.invoke('NodeVersionFunction', {}, { cold: true });
    expect(first.functionError).toBeUndefined();
    expect(mismatchLines(lines)).toEqual(['[larder] warning: NodeVersionFunction declares nodejs22.x but runs on Node 19.0.0; run `larder runtimes install 22` (or pass --install-node), or set LARDER_NODE_22 or --node to match']);
    expect(emulator.warnings).toContain('NodeVersionFunction declares nodejs22.x but runs on Node 19.0.0; run `larder runtimes install 22` (or pass --install-node), or set LARDER_NODE_22 or --node to match');
  });

  it('does not warn when the majors agree (LARDER_NODE_22 mapping a nodejs22.x function)', async () => {
    const node = wrapper('node-claims-22', '22.99.0');
    const { emulator, lines } = track({ node: { byMajor: { '22': node.path } } });
    const result = await emulator.invoke('NodeVersionFunction', {});
    expect(result.functionError).toBeUndefined();
    expect(ranBootstrap(node.calls())).toBe(true);
    expect(mismatchLines(lines)).toEqual([]);
  });

  it('runs a --bundle build on the chosen binary (no TypeScript loader)', async () => {
    const outDir = join(dir, 'bundles');
    const [report] = await bundleFunctions({ template: loadTemplate(FIXTURE_TEMPLATE), outDir, only: ['NodeVersionFunction'], rootDir: resolve(import.meta.dirname, '../../..') });
    expect(report).toMatchObject({ logicalId: 'NodeVersionFunction', status: 'built' });
    const node = wrapper('node-bundle');
    const { emulator } = track({ bundleDir: outDir, node: { binary: node.path } });
    const result = await emulator.invoke('NodeVersionFunction', {});
    expect(result.functionError).toBeUndefined();
    expect(parsed(result.payload).version).toBe(process.version);
    expect(result.report.init?.loaderMs).toBe(0);
    expect(ranBootstrap(node.calls())).toBe(true);
  });

  it('fails clearly, starting nothing, when the binary cannot run', async () => {
    const { emulator } = track({ node: { binary: join(dir, 'no-such-node') } });
    await expect(emulator.invoke('NodeVersionFunction', {})).rejects.toThrow(/Node binary ".*no-such-node" \(--node \/ LARDER_NODE_\*\) could not be run/);
    expect(emulator.stats().NodeVersionFunction).toEqual({ idle: 0, busy: 0 });
  });
});

describe('larder invoke --node and LARDER_NODE_BINARY', () => {
  const common = ['NodeVersionFunction', '--template', FIXTURE_TEMPLATE, '--no-services'];
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LARDER_NODE_BINARY;
  });
  const quiet = () => {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (err.push(String(chunk)), true));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    return { out, err };
  };

  it('--node PATH runs the sandbox on that binary', async () => {
    const node = wrapper('node-cli-flag');
    const { out } = quiet();
    expect(await runCommand(['invoke', ...common, '--node', node.path])).toBe(0);
    expect(JSON.parse(out.join('')).version).toBe(process.version);
    expect(ranBootstrap(node.calls())).toBe(true);
  });

  it('LARDER_NODE_BINARY does the same from the environment', async () => {
    const node = wrapper('node-cli-env', '19.0.0');
    process.env.LARDER_NODE_BINARY = node.path;
    const { err } = quiet();
    expect(await runCommand(['invoke', ...common])).toBe(0);
    expect(ranBootstrap(node.calls())).toBe(true);
    expect(err.join('')).toContain('NodeVersionFunction declares nodejs22.x but runs on Node 19.0.0; run `larder runtimes install 22` (or pass --install-node), or set LARDER_NODE_22 or --node to match');
  });
});
