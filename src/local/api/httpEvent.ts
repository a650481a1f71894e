/**
 * HTTP request → payload format 2.0 event: what HTTP APIs send by default, and (with a `lambda-url`
 * requestContext) what Function URLs send. Headers are lower-case with repeated values joined by
 * commas, cookies are their own list, query values are comma-joined, and a body that is not text is
 * base64 (HTTP APIs have no BinaryMediaTypes: they encode anything that is not a text content type).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from '../intrinsics';
import { requestTime, sourceIp } from './restEvent';
import { dict, type RequestParts } from './requestParts';

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|[\w.+-]+\+(json|xml))|multipart\/)/i;

export function isTextBody(contentType: string | undefined): boolean {
  return !contentType || TEXT_TYPES.test(contentType.trim());
}

export interface V2Options {
  routeKey: string;
  stage: string;
  pathParameters: Record<string, string> | null;
  /** The path as the function sees it (stage prefix removed). */
  path: string;
  authorizer?: Record<string, unknown>;
  /** Function URLs: `<url-id>.lambda-url.<region>.on.aws` and authentication type. */
  functionUrl?: { domainName: string; urlId: string; authType: string };
}

export function buildV2Event(req: IncomingMessage, body: Buffer, parts: RequestParts, options: V2Options): APIGatewayProxyEventV2 {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = dict<string>();
  for (const [k, v] of Object.entries(parts.lowerHeaders)) if (k !== 'cookie') headers[k] = v;
  const query = dict<string>();
  for (const [k, v] of Object.entries(parts.multiQuery)) query[k] = v.join(',');
  const now = new Date();
  const requestId = randomUUID();
  const binary = body.length > 0 && !isTextBody(req.headers['content-type']);
  const url = options.functionUrl;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: options.path,
    rawQueryString: parts.rawQueryString,
    ...(parts.cookies.length ? { cookies: parts.cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: url ? 'anonymous' : LOCAL_ACCOUNT_ID,
      apiId: url ? url.urlId : 'larderlocal',
      ...(options.authorizer ? { authorizer: options.authorizer as any } : {}),
      domainName: url ? url.domainName : (req.headers.host ?? 'localhost'),
      domainPrefix: url ? url.urlId : 'localhost',
      http: { method, path: options.path, protocol: `HTTP/${req.httpVersion}`, sourceIp: sourceIp(req), userAgent: req.headers['user-agent'] ?? '' },
      requestId,
      routeKey: options.routeKey,
      stage: options.stage,
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary,
  };
  return event;
}
