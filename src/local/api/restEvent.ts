/**
 * HTTP request → API Gateway proxy event, payload format 1.0: what REST APIs send, and HTTP APIs with
 * `PayloadFormatVersion: '1.0'`. Header names keep the client's case, every value is kept in the
 * multiValue maps, and bodies whose Content-Type matches the API's BinaryMediaTypes are base64 with
 * isBase64Encoded: true, as API Gateway does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '../intrinsics';
import type { RouteMatch } from './routes';
import { requestParts, type RequestParts } from './requestParts';

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

export function requestTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export function sourceIp(req: IncomingMessage): string {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
}

export function buildProxyEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  match: Pick<RouteMatch, 'route' | 'pathParameters'> & { path?: string },
  parts: RequestParts = requestParts(req, url),
  authorizer?: Record<string, unknown>,
): APIGatewayProxyEvent {
  const hasQuery = Object.keys(parts.query).length > 0;
  const { api } = match.route;
  const binary = isBinaryMediaType(req.headers['content-type'], api.binaryMediaTypes);
  const method = (req.method ?? 'GET').toUpperCase();
  const path = match.path ?? url.pathname;
  const now = new Date();
  const requestId = randomUUID();
  const http = match.route.kind === 'http';
  const event: APIGatewayProxyEvent & { version?: string } = {
    resource: match.route.resource,
    path,
    httpMethod: method,
    headers: parts.headers,
    multiValueHeaders: parts.multiValueHeaders,
    queryStringParameters: hasQuery ? parts.query : null,
    multiValueQueryStringParameters: hasQuery ? parts.multiQuery : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'larderlocal',
      authorizer: authorizer as any,
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      extendedRequestId: requestId,
      httpMethod: method,
      identity: {
        accessKey: null, accountId: null, apiKey: (req.headers['x-api-key'] as string | undefined) ?? null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
        principalOrgId: null, sourceIp: sourceIp(req), user: null, userAgent: req.headers['user-agent'] ?? null, userArn: null,
      },
      path: api.stageName === '$default' ? path : `/${api.stageName}${path}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: 'larder',
      resourcePath: match.route.resource,
      stage: api.stageName,
    },
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.length > 0 && binary,
  };
  return http ? { version: '1.0', ...event } : event;
}
