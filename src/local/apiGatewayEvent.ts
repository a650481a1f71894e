/**
 * HTTP request → API Gateway REST (v1) proxy event, and proxy result → HTTP response: Hono's Lambda
 * adapter run in reverse. Bodies whose Content-Type matches the Api's BinaryMediaTypes (uploads:
 * multipart/form-data, application/octet-stream, …) are base64-encoded with isBase64Encoded: true, as
 * API Gateway does; headers and query strings keep every value in the multiValue maps.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './intrinsics';
import type { RouteMatch } from './apiRoutes';

export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const p = pattern.trim().toLowerCase();
    if (p === '*/*') return true;
    if (p.endsWith('/*')) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}

export function buildProxyEvent(req: IncomingMessage, url: URL, body: Buffer, match: RouteMatch): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const { api } = match.route;
  const contentType = req.headers['content-type'];
  const binary = isBinaryMediaType(contentType, api.binaryMediaTypes);
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  const requestId = randomUUID();
  return {
    resource: match.route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'larderlocal',
      authorizer: undefined,
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      extendedRequestId: requestId,
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${api.stageName}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: 'larder',
      resourcePath: match.route.resource,
      stage: api.stageName,
    },
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.length > 0 && binary,
  };
}

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Validates a proxy result like API Gateway: anything malformed is a 502 (and says why in the log). */
export function proxyResultToHttp(payload: string): HttpResponseParts | { invalid: string } {
  let result: any;
  try {
    result = JSON.parse(payload);
  } catch {
    return { invalid: 'the function returned something that is not JSON' };
  }
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    return { invalid: `expected an object with statusCode, found ${JSON.stringify(result)?.slice(0, 100)}` };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { invalid: `statusCode must be an HTTP status, found ${JSON.stringify(result.statusCode)}` };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries<unknown>(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries<unknown>(result.multiValueHeaders ?? {})) {
    if (!Array.isArray(v)) return { invalid: `multiValueHeaders.${k} must be an array` };
    headers[k] = v.map(String);
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') {
    return { invalid: 'body must be a string (JSON.stringify objects; base64-encode binary and set isBase64Encoded)' };
  }
  const text: string = result.body ?? '';
  const body = result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}

function formatRequestTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
