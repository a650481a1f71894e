import { describe, expect, it } from 'vitest';
import { LarderError } from '../../../src/errors';
import { isS3Event, largeBodyError } from '../../../src/registry';

describe('presigned upload helpers', () => {
  it('recognises S3 notifications and nothing else', () => {
    expect(isS3Event({ Records: [{ eventSource: 'aws:s3', s3: { object: { key: 'artifacts/model/x/abc.bin' } } }] })).toBe(true);
    expect(isS3Event({ Records: [] })).toBe(false);
    expect(isS3Event({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] })).toBe(false);
    expect(isS3Event({ httpMethod: 'GET', path: '/health' })).toBe(false);
    expect(isS3Event(null)).toBe(false);
  });

  it('turns a 413 into one that names the upload-url route of that type', () => {
    const err = largeBodyError('dataset', new LarderError('TOO_LARGE', 'the request body is 7000000 bytes', { statusCode: 413 }));
    expect(err.statusCode).toBe(413);
    expect(err.code).toBe('TOO_LARGE');
    expect(err.message).toContain('the request body is 7000000 bytes');
    expect(err.message).toContain('POST /artifact/dataset/upload-url');
    expect(err.details).toEqual({ upload_path: '/artifact/dataset/upload-url' });
  });
});
