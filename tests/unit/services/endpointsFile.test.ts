import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEndpointsFile, removeEndpointFiles, writeEndpointFiles } from '../../../src/local/services/endpointsFile';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'larder-endpoints-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const endpoints = { s3: 'http://127.0.0.1:1', dynamodb: 'http://127.0.0.1:2', bedrock: 'http://127.0.0.1:3' };
const env = { AWS_ENDPOINT_URL_S3: endpoints.s3, AWS_REGION: 'us-east-1' };

describe('endpoint files', () => {
  it('writes endpoints.json and a KEY=VALUE env file, and removes them', () => {
    const dir = tempDir();

    const files = writeEndpointFiles(dir, { endpoints, env });

    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['endpoints.json', 'services.env']);
    expect(readFileSync(join(dir, 'services.env'), 'utf8')).toBe('AWS_ENDPOINT_URL_S3=http://127.0.0.1:1\nAWS_REGION=us-east-1\n');
    expect(readEndpointsFile(dir)).toMatchObject({ endpoints, env, pid: process.pid, dataDir: dir });
    removeEndpointFiles(dir);
    expect(files.some((f) => existsSync(f))).toBe(false);
    expect(readEndpointsFile(dir)).toBeUndefined();
  });

  it('ignores a file left behind by a process that is gone, and a corrupt file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'endpoints.json'), JSON.stringify({ endpoints, env, pid: 2 ** 22 + 12345, startedAt: '', dataDir: dir }));
    expect(readEndpointsFile(dir)).toBeUndefined();
    writeFileSync(join(dir, 'endpoints.json'), '{not json');
    expect(readEndpointsFile(dir)).toBeUndefined();
  });
});

describe('the data folder lock', () => {
  it('is taken once; a second taker gets CONFLICT naming the holder; a lock of a dead process is taken over', async () => {
    const { acquireStackLock, lockHolder } = await import('../../../src/local/services/endpointsFile');
    const dir = tempDir();
    const lock = acquireStackLock(dir, 'start-api');
    // The same process may not take it twice either way: simulate another live holder (pid 1 = init).
    writeFileSync(join(dir, 'services.lock'), JSON.stringify({ pid: 1, command: 'start', startedAt: 'then' }));

    expect(() => acquireStackLock(dir, 'invoke')).toThrow(/in use by another Larder process \(pid 1, `larder start`/);
    expect(lockHolder(dir)).toMatchObject({ pid: 1, command: 'start' });

    writeFileSync(join(dir, 'services.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, command: 'start' }));
    const taken = acquireStackLock(dir, 'invoke');
    expect(JSON.parse(readFileSync(join(dir, 'services.lock'), 'utf8'))).toMatchObject({ pid: process.pid, command: 'invoke' });
    taken.release();
    lock.release();
    expect(existsSync(join(dir, 'services.lock'))).toBe(false);
  });
});
