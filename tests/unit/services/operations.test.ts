import { describe, expect, it } from 'vitest';
import { bedrockOperation, dynamodbOperation, s3Operation } from '../../../src/local/services/operations';

describe('operation names from raw requests', () => {
  it.each([
    ['GET', '/', {}, 'ListBuckets'],
    ['PUT', '/bucket', {}, 'CreateBucket'],
    ['HEAD', '/bucket', {}, 'HeadBucket'],
    ['DELETE', '/bucket', {}, 'DeleteBucket'],
    ['GET', '/bucket?list-type=2&prefix=a', {}, 'ListObjectsV2'],
    ['GET', '/bucket?prefix=a', {}, 'ListObjects'],
    ['GET', '/bucket?uploads', {}, 'ListMultipartUploads'],
    ['GET', '/bucket?location', {}, 'GetBucketLocation'],
    ['PUT', '/bucket?tagging', {}, 'PutBucketTagging'],
    ['POST', '/bucket?delete', {}, 'DeleteObjects'],
    ['GET', '/bucket/a/b.parquet', {}, 'GetObject'],
    ['HEAD', '/bucket/a/b.parquet', {}, 'HeadObject'],
    ['PUT', '/bucket/key', {}, 'PutObject'],
    ['PUT', '/bucket/key', { 'x-amz-copy-source': '/bucket/other' }, 'CopyObject'],
    ['DELETE', '/bucket/key', {}, 'DeleteObject'],
    ['POST', '/bucket/key?uploads', {}, 'CreateMultipartUpload'],
    ['PUT', '/bucket/key?partNumber=2&uploadId=abc', {}, 'UploadPart'],
    ['POST', '/bucket/key?uploadId=abc', {}, 'CompleteMultipartUpload'],
    ['DELETE', '/bucket/key?uploadId=abc', {}, 'AbortMultipartUpload'],
    ['GET', '/bucket/key?uploadId=abc', {}, 'ListParts'],
    ['GET', '/bucket/key?tagging', {}, 'GetObjectTagging'],
    ['GET', '/bucket/key?x-id=GetObject', {}, 'GetObject'],
  ])('S3 %s %s → %s', (method, url, headers, expected) => {
    expect(s3Operation(method, url, headers)).toBe(expected);
  });

  it('DynamoDB: the operation is the X-Amz-Target suffix', () => {
    expect(dynamodbOperation({ 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems' })).toBe('TransactWriteItems');
    expect(dynamodbOperation({})).toBe('Unknown');
  });

  it('Bedrock Runtime: POST /model/{id}/{action}', () => {
    expect(bedrockOperation('POST', '/model/amazon.titan-embed-text-v2%3A0/invoke')).toBe('InvokeModel');
    expect(bedrockOperation('POST', '/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse')).toBe('Converse');
    expect(bedrockOperation('POST', '/model/x/converse-stream')).toBe('ConverseStream');
    expect(bedrockOperation('GET', '/model/x/invoke')).toBe('Unknown');
  });
});
