import { describe, expect, it } from 'vitest';
import { createS3Client, isLocalEndpoint, LOCAL_CREDENTIALS } from '../../../src/aws';
import { parseConfig } from '../../../src/config';
import { readFileSync } from 'node:fs';

const text = readFileSync(new URL('../../../ml_config.yaml', import.meta.url), 'utf8');

describe('AWS client factories', () => {
  it('treats loopback, host.docker.internal and 0.0.0.0 endpoints as local', () => {
    for (const e of ['http://127.0.0.1:4569', 'http://localhost:1', 'http://[::1]:8000', 'http://host.docker.internal:4569', 'http://0.0.0.0:9']) {
      expect(isLocalEndpoint(e), e).toBe(true);
    }
    for (const e of [undefined, 'https://s3.us-east-1.amazonaws.com', 'http://10.0.0.5:4569', 'not a url']) {
      expect(isLocalEndpoint(e), String(e)).toBe(false);
    }
  });

  it('gives a local S3 endpoint path-style addressing, WHEN_REQUIRED checksums and dummy credentials', async () => {
    const config = parseConfig(text, 'ml_config.yaml', { AWS_ENDPOINT_URL_S3: 'http://host.docker.internal:4569' });
    const s3 = createS3Client(config);
    expect(await s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    const creds = await s3.config.credentials();
    expect(creds.accessKeyId).toBe(LOCAL_CREDENTIALS.accessKeyId);
  });

  it('leaves AWS endpoints to the SDK defaults', async () => {
    const config = parseConfig(text, 'ml_config.yaml', {});
    const s3 = createS3Client(config);
    expect(await s3.config.forcePathStyle).toBeFalsy();
  });
});
