/**
 * Names the AWS operation of a raw HTTP request, per service, so the fault proxy can count requests
 * and scope rules by operation (`GetObject`, `PutItem`, `InvokeModel`, …) without parsing bodies.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceName } from './process';

export function operationOf(service: ServiceName, method: string, url: string, headers: IncomingHttpHeaders): string {
  switch (service) {
    case 's3':
      return s3Operation(method, url, headers);
    case 'dynamodb':
      return dynamodbOperation(headers);
    case 'bedrock':
      return bedrockOperation(method, url);
  }
}

/** DynamoDB is JSON-RPC: the operation is the suffix of `X-Amz-Target: DynamoDB_20120810.GetItem`. */
export function dynamodbOperation(headers: IncomingHttpHeaders): string {
  const target = headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  if (!value) return 'Unknown';
  const dot = value.lastIndexOf('.');
  return dot >= 0 ? value.slice(dot + 1) : value;
}

const BEDROCK_ACTIONS: Record<string, string> = {
  invoke: 'InvokeModel',
  'invoke-with-response-stream': 'InvokeModelWithResponseStream',
  converse: 'Converse',
  'converse-stream': 'ConverseStream',
  'count-tokens': 'CountTokens',
};

/** Bedrock Runtime is REST: `POST /model/{modelId}/{action}`. */
export function bedrockOperation(method: string, url: string): string {
  const path = url.split('?')[0];
  const match = /^\/model\/[^/]+\/([a-z-]+)$/.exec(path);
  if (method === 'POST' && match && BEDROCK_ACTIONS[match[1]]) return BEDROCK_ACTIONS[match[1]];
  return 'Unknown';
}

/** Bucket sub-resources (`?tagging`, `?versioning`, …) name Get/Put/Delete<Bucket…> operations. */
const BUCKET_SUBRESOURCES: Record<string, string> = {
  acl: 'BucketAcl',
  cors: 'BucketCors',
  lifecycle: 'BucketLifecycleConfiguration',
  location: 'BucketLocation',
  policy: 'BucketPolicy',
  tagging: 'BucketTagging',
  versioning: 'BucketVersioning',
  website: 'BucketWebsite',
  encryption: 'BucketEncryption',
  notification: 'BucketNotificationConfiguration',
};
const OBJECT_SUBRESOURCES: Record<string, string> = { acl: 'ObjectAcl', tagging: 'ObjectTagging', attributes: 'ObjectAttributes' };
const VERB: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

/**
 * S3 REST, path style (`/bucket/key?query`): the method, whether a key is present, the query's
 * sub-resource and a few headers (x-amz-copy-source) together name the operation.
 */
export function s3Operation(method: string, url: string, headers: IncomingHttpHeaders = {}): string {
  const queryStart = url.indexOf('?');
  const path = queryStart >= 0 ? url.slice(0, queryStart) : url;
  const query = new URLSearchParams(queryStart >= 0 ? url.slice(queryStart + 1) : '');
  const segments = path.split('/').filter(Boolean);
  const hasKey = segments.length > 1;
  const copy = headers['x-amz-copy-source'] !== undefined;

  if (segments.length === 0) return method === 'GET' ? 'ListBuckets' : 'Unknown';

  if (!hasKey) {
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
    if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET' && query.has('versions')) return 'ListObjectVersions';
    for (const [sub, name] of Object.entries(BUCKET_SUBRESOURCES)) {
      if (query.has(sub)) return `${VERB[method] ?? method}${name}`;
    }
    if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'DELETE') return 'DeleteBucket';
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'POST') return 'PostObject';
    return 'Unknown';
  }

  if (query.has('uploadId')) {
    if (method === 'PUT') return copy ? 'UploadPartCopy' : 'UploadPart';
    if (method === 'POST') return 'CompleteMultipartUpload';
    if (method === 'DELETE') return 'AbortMultipartUpload';
    if (method === 'GET') return 'ListParts';
  }
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  for (const [sub, name] of Object.entries(OBJECT_SUBRESOURCES)) {
    if (query.has(sub)) return `${VERB[method] ?? method}${name}`;
  }
  switch (method) {
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      return 'DeleteObject';
    default:
      return 'Unknown';
  }
}
