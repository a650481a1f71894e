/**
 * `larder runtimes install` over the wire with the real npm client, against a registry on loopback
 * that serves a `node` package shaped like the real one (bin/node; here a script answering a version,
 * so the test needs no 30 MB download): the binary lands in the cache, the function's Runtime then
 * picks it, and a package whose binary is the wrong major is refused with nothing left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { installNode, installedNodeMajors } from '../../../src/local/nodeRuntimes';
import { chooseNodeBinary } from '../../../src/local/nodeBinary';

const work = mkdtempSync(join(tmpdir(), 'larder-node-runtimes-'));
let server: Server;
let registry = '';
/** Package version → the Node version its bin/node claims to be. */
const PACKAGES: Record<string, string> = { '22.9.0': '22.9.0', '23.1.0': '21.0.0' };
const tarballs = new Map<string, Buffer>();

function tarball(version: string, claims: string): Buffer {
  const dir = join(work, `pkg-${version}`, 'package');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node', version, bin: { node: 'bin/node' } }));
  writeFileSync(join(dir, 'bin/node'), `#!/bin/sh\nif [ "$1" = "-p" ]; then echo "${claims}"; exit 0; fi\nexec '${process.execPath}' "$@"\n`);
  chmodSync(join(dir, 'bin/node'), 0o755);
  const file = join(work, `node-${version}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', join(work, `pkg-${version}`), 'package']);
  return readFileSync(file);
}

beforeAll(async () => {
  for (const [v, claims] of Object.entries(PACKAGES)) tarballs.set(v, tarball(v, claims));
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/node') {
      const versions: Record<string, unknown> = {};
      for (const [v, tgz] of tarballs) {
        versions[v] = {
          name: 'node',
          version: v,
          bin: { node: 'bin/node' },
          dist: { tarball: `${registry}/node/-/node-${v}.tgz`, shasum: createHash('sha1').update(tgz).digest('hex'), integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` },
        };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'node', 'dist-tags': { latest: '22.9.0' }, versions }));
      return;
    }
    const m = /^\/node\/-\/node-(.+)\.tgz$/.exec(url);
    if (m && tarballs.has(m[1])) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarballs.get(m[1]));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.npm_config_cache;
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe('larder runtimes install', () => {
  const cacheDir = join(work, 'cache');
  const npmEnv = { npm_config_cache: join(work, 'npm-cache') };

  it('installs node@22 from the registry into the cache, where nodejs22.x functions find it', async () => {
    Object.assign(process.env, npmEnv);
    const result = await installNode(22, { cacheDir, registry });
    expect(result).toEqual({ binary: join(cacheDir, 'node-22/node_modules/node/bin/node'), version: '22.9.0', installed: true });
    expect(installedNodeMajors(cacheDir)).toEqual([{ major: 22, binary: result.binary }]);
    const hostMajor = Number(process.versions.node.split('.')[0]);
    if (hostMajor !== 22) expect(chooseNodeBinary('nodejs22.x', { runtimesDir: cacheDir })).toBe(result.binary);
    expect(chooseNodeBinary('nodejs22.x', { runtimesDir: cacheDir, byMajor: { '22': '/opt/mine' } })).toBe('/opt/mine');
    expect((await installNode(22, { cacheDir, registry })).installed).toBe(false);
  }, 120_000);

  it('refuses a binary of the wrong major and leaves nothing behind', async () => {
    await expect(installNode(23, { cacheDir, registry })).rejects.toThrow(/could not install Node 23 from the npm registry: the installed binary is Node 21.0.0, not 23/);
    expect(existsSync(join(cacheDir, 'node-23'))).toBe(false);
    expect(readdirSync(cacheDir).filter((d) => d.startsWith('.node-'))).toEqual([]);
  }, 120_000);

  it('says what is missing when the registry has no such version', async () => {
    await expect(installNode(30, { cacheDir, registry })).rejects.toThrow(/could not install Node 30 from the npm registry/);
  }, 120_000);
});
