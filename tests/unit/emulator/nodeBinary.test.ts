import { describe, expect, it } from 'vitest';
import { chooseNodeBinary, runtimeMajor, runtimeMismatchWarning } from '../../../src/local/nodeBinary';
import { readEnvOverrides } from '../../../src/config/env';

describe('choosing the sandboxes\' Node', () => {
  it('reads the major from a Node runtime name and nothing else', () => {
    expect(runtimeMajor('nodejs22.x')).toBe(22);
    expect(runtimeMajor('nodejs24.x')).toBe(24);
    expect(runtimeMajor('python3.12')).toBeUndefined();
    expect(runtimeMajor(undefined)).toBeUndefined();
  });

  it('prefers --node, then LARDER_NODE_<MAJOR> for the runtime, then LARDER_NODE_BINARY, then this Node', () => {
    const byMajor = { '22': '/opt/node22/bin/node' };
    expect(chooseNodeBinary('nodejs22.x', { binary: '/flag/node', byMajor, fallback: '/env/node' })).toBe('/flag/node');
    expect(chooseNodeBinary('nodejs22.x', { byMajor, fallback: '/env/node' })).toBe('/opt/node22/bin/node');
    expect(chooseNodeBinary('nodejs24.x', { byMajor, fallback: '/env/node' })).toBe('/env/node');
    expect(chooseNodeBinary('nodejs24.x', { byMajor })).toBe(process.execPath);
    expect(chooseNodeBinary('nodejs22.x')).toBe(process.execPath);
  });

  it('warns only when the majors differ', () => {
    expect(runtimeMismatchWarning('QueryFunction', 'nodejs22.x', '20.20.2')).toBe('QueryFunction declares nodejs22.x but runs on Node 20.20.2; run `larder runtimes install 22` (or pass --install-node), or set LARDER_NODE_22 or --node to match');
    expect(runtimeMismatchWarning('QueryFunction', 'nodejs22.x', '22.23.3')).toBeUndefined();
    expect(runtimeMismatchWarning('Other', 'provided.al2023', '20.20.2')).toBeUndefined();
  });

  it('reads LARDER_NODE_BINARY and LARDER_NODE_<MAJOR> from the environment', () => {
    const { localNode } = readEnvOverrides({ LARDER_NODE_BINARY: ' /env/node ', LARDER_NODE_22: '/opt/node22', LARDER_NODE_24: '', LARDER_NODE_X: '/nope' });
    expect(localNode).toEqual({ binary: '/env/node', byMajor: { '22': '/opt/node22' } });
  });
});

describe('Node versions for `larder runtimes`', () => {
  it('reads a major from 22, nodejs22.x, node22 or v22 and refuses anything else', async () => {
    const { parseNodeMajor } = await import('../../../src/local/nodeRuntimes');
    expect(['22', 'nodejs22.x', 'node22', 'v22'].map(parseNodeMajor)).toEqual([22, 22, 22, 22]);
    expect(() => parseNodeMajor('latest')).toThrow(/expected a Node major version such as 22/);
    expect(() => parseNodeMajor('12')).toThrow(/from 16/);
  });

  it('keeps the runtimes cache where LARDER_RUNTIMES_DIR or XDG_CACHE_HOME says', async () => {
    const { runtimesCacheDir } = await import('../../../src/local/nodeRuntimes');
    expect(runtimesCacheDir({ LARDER_RUNTIMES_DIR: '/r' })).toBe('/r');
    expect(runtimesCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/larder/node');
  });
});
