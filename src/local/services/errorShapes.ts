/**
 * Injected failures answer in each service's own error shape, so the real SDK parses them into its
 * typed errors and applies its real retry rules (throttling and 5xx are retried; others are not):
 *  - S3: XML `<Error><Code>…</Code><Message>…</Message></Error>` (no body for HEAD);
 *  - DynamoDB: JSON `{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": …}`;
 *  - Bedrock Runtime: JSON `{"message": …}` with the code in the `x-amzn-ErrorType` header.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceName } from './process';

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The code each service uses for a status when the rule names none. */
const DEFAULT_CODES: Record<ServiceName, Record<number, string>> = {
  s3: { 400: 'BadRequest', 403: 'AccessDenied', 404: 'NoSuchKey', 429: 'SlowDown', 500: 'InternalError', 503: 'SlowDown' },
  dynamodb: { 400: 'ThrottlingException', 429: 'ThrottlingException', 500: 'InternalServerError', 503: 'ServiceUnavailable' },
  bedrock: {
    400: 'ValidationException',
    404: 'ResourceNotFoundException',
    408: 'ModelTimeoutException',
    424: 'ModelErrorException',
    429: 'ThrottlingException',
    500: 'InternalServerException',
    503: 'ServiceUnavailableException',
  },
};

export function defaultErrorCode(service: ServiceName, status: number): string {
  return DEFAULT_CODES[service][status] ?? (status >= 500 ? DEFAULT_CODES[service][500] : DEFAULT_CODES[service][400]);
}

export function errorReply(service: ServiceName, status: number, code: string, message: string, method: string): ErrorReply {
  const requestId = randomUUID();
  switch (service) {
    case 's3': {
      const body =
        method === 'HEAD'
          ? ''
          : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(code)}</Code><Message>${xml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
      return { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body };
    }
    case 'dynamodb':
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message }),
      };
    case 'bedrock':
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message }),
      };
  }
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
