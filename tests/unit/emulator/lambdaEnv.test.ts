import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSandboxEnv, readEnvVarsFile } from '../../../src/local/lambdaEnv';
import type { FunctionDefinition } from '../../../src/local/template';

const fn = {
  logicalId: 'QueryFunction',
  functionName: 'QueryFunction',
  handler: 'query.handler',
  runtime: 'nodejs22.x',
  memoryMb: 1024,
  timeoutSec: 29,
  ephemeralStorageMb: 2048,
  environment: { LARDER_BUCKET: 'bucket', AWS_ENDPOINT_URL_S3: '', DATA_LOADING_MODE: 'S3_STREAMING' },
} as unknown as FunctionDefinition;

describe('the sandbox environment', () => {
  const base = { fn, region: 'eu-west-1', tmpDir: '/tmp/sbx', taskRoot: '/work' };

  it('layers Lambda variables, the template, local endpoints and the env-vars file, in that order', () => {
    const { env, warnings } = buildSandboxEnv({
      ...base,
      serviceEnv: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'IGNORED' },
      envVars: { Parameters: { DATA_LOADING_MODE: 'LOCAL_CACHE' }, QueryFunction: { AWS_ENDPOINT_URL_S3: 'http://host.docker.internal:4569' } },
      hostEnv: { PATH: '/home/dev/bin:/bin', AWS_ACCESS_KEY_ID: 'AKIAHOST', AWS_SECRET_ACCESS_KEY: 'host-secret', AWS_SESSION_TOKEN: 'tok' },
    });
    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      LARDER_EPHEMERAL_STORAGE_MB: '2048',
      TMPDIR: '/tmp/sbx',
      LARDER_CACHE_DIR: '/tmp/sbx/larder-cache',
      LARDER_BUCKET: 'bucket',
      DATA_LOADING_MODE: 'LOCAL_CACHE',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ACCESS_KEY_ID: 'S3RVER',
    });
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
    expect(Object.values(env)).not.toContain('host-secret');
    expect(warnings).toEqual([]);
  });

  it("sets what sam local sets: AWS_SAM_LOCAL, LAMBDA_RUNTIME_DIR, and Lambda's PATH with this machine's node and layer bin folders", () => {
    const { env } = buildSandboxEnv({
      ...base,
      nodeBinary: '/opt/node22/bin/node',
      layerBinDirs: ['/layers/tools/bin'],
      nodePath: ['/layers/tools/nodejs/node_modules', '/rt/node_modules'],
      hostEnv: { PATH: '/home/dev/bin:/bin' },
    });
    expect(env).toMatchObject({ AWS_SAM_LOCAL: 'true', LAMBDA_RUNTIME_DIR: '/var/runtime' });
    // Lambda: /var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin — the host's own PATH does not leak in.
    expect(env.PATH).toBe('/opt/node22/bin:/usr/local/bin:/usr/bin/:/bin:/layers/tools/bin');
    expect(env.NODE_PATH).toBe('/layers/tools/nodejs/node_modules:/rt/node_modules');
  });

  it('leaves an empty declared variable unset, and passes host credentials only when asked', () => {
    const { env } = buildSandboxEnv({ ...base, inheritAwsCredentials: true, hostEnv: { AWS_ACCESS_KEY_ID: 'AKIAHOST', AWS_SECRET_ACCESS_KEY: 's' } });
    expect('AWS_ENDPOINT_URL_S3' in env).toBe(false);
    expect(env.AWS_ACCESS_KEY_ID).toBe('AKIAHOST');
  });

  it('warns about an env-vars variable the template does not declare, and still applies it', () => {
    const { env, warnings } = buildSandboxEnv({ ...base, envVars: { QueryFunction: { SECRET_FLAG: '1' } }, hostEnv: {} });
    expect(env.SECRET_FLAG).toBe('1');
    expect(warnings[0]).toMatch(/QueryFunction: --env-vars sets SECRET_FLAG, which the template does not declare/);
  });

  it('reads the env-vars file strictly, naming what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'larder-envvars-unit-'));
    const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    expect(() => readEnvVarsFile(join(dir, 'missing.json'))).toThrow(/file not found/);
    expect(() => readEnvVarsFile(write('bad.json', '{'))).toThrow(/not valid JSON/);
    expect(() => readEnvVarsFile(write('list.json', '[]'))).toThrow(/expected an object/);
    expect(() => readEnvVarsFile(write('nested.json', '{"F":{"A":{"b":1}}}'))).toThrow(/F.A must be a string/);
    expect(readEnvVarsFile(write('ok.json', '{"Parameters":{"A":"1"}}'))).toEqual({ Parameters: { A: '1' } });
  });
});
