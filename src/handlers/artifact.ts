/**
 * ArtifactFunction: the artifact registry's API (API Gateway REST v1 proxy events).
 * Thin: route → parse the request → one ArtifactRegistry call → shape the response. Errors are
 * always `{error, error_code}` (shared/http.ts).
 *
 *   GET    /health                          POST   /artifacts            (offset header)
 *   DELETE /reset                           GET    /artifact/byName/{name}
 *   POST   /artifact/{artifact_type}        POST   /artifact/byRegEx
 *   GET|PUT|DELETE /artifacts/{artifact_type}/{id}   GET /artifact/model/{id}/rate
 *   POST   /artifact/{artifact_type}/upload-url  (bodies over 6 MB: a presigned S3 PUT, presignedUpload.ts)
 * An S3 ObjectCreated event (where the bucket sends one) registers the presigned upload it completes.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { LarderError, ValidationError } from '../errors';
import {
  ArtifactRegistry,
  AuthError,
  parseMultipart,
  runAs,
  UPLOAD_URL_ROUTE,
  isS3Event,
  largeBodyError,
  type ArtifactInsights,
  type Authenticator,
  type AuthUser,
  type PresignedUploads,
} from '../registry';
import { defaultRegistryRuntime } from './wiring/registry';
import { bodyBuffer, errorResponse, header, isApiGatewayV1Event, jsonResponse, parseJsonBody, validateRestEventFields } from './shared/http';

export interface ArtifactHandlerDeps {
  registry: ArtifactRegistry;
  maxUploadBytes: number;
  /** The spec's read-only views (lineage, cost, license check, audit, health, tracks). */
  insights?: ArtifactInsights;
  /** Access control; absent or mode "off" → no X-Authorization needed, /authenticate answers 501. */
  auth?: Authenticator;
  /** Large artifacts through presigned S3 PUTs; absent → the upload-url route answers 501. */
  uploads?: PresignedUploads;
}

type Params = Record<string, string>;
/** Lambda's request payload limit; larger artifacts take the presigned upload path. */ const LAMBDA_REQUEST_BYTES = 6 * 1024 * 1024;
type Route = {
  method: string;
  template: string;
  /** Reachable without a token (the spec's /health, /tracks, /authenticate). */
  open?: boolean;
  /** Admin only (reset, user management): 401 for other users. */
  admin?: boolean;
  run: (deps: ArtifactHandlerDeps, event: APIGatewayProxyEvent, params: Params) => Promise<APIGatewayProxyResult>;
};

const ROUTES: Route[] = [
  { method: 'GET', template: '/health', open: true, run: async () => jsonResponse(200, { status: 'ok' }) },
  { method: 'GET', template: '/health/components', run: async (d, e) => jsonResponse(200, await insights(d).health(query(e, 'windowMinutes'))) },
  { method: 'GET', template: '/tracks', open: true, run: async (d) => jsonResponse(200, insights(d).tracks()) },
  { method: 'PUT', template: '/authenticate', open: true, run: async (d, e) => jsonResponse(200, await authOf(d).authenticate(parseJsonBody(e))) },
  {
    method: 'DELETE',
    template: '/authenticate',
    run: async (d, e) => (await authOf(d).revoke(header(e, 'x-authorization')), jsonResponse(200, { status: 'revoked' })),
  },
  { method: 'POST', template: '/users', admin: true, run: async (d, e) => jsonResponse(201, await authOf(d).putUser(parseJsonBody(e))) },
  { method: 'DELETE', template: '/users/{name}', admin: true, run: async (d, _e, p) => (await authOf(d).deleteUser(p.name), jsonResponse(200, { status: 'deleted', name: p.name })) },
  {
    method: 'DELETE',
    template: '/reset',
    admin: true,
    run: async ({ registry, auth }) => {
      const result = await registry.reset();
      if (auth?.enabled) await auth.ensureDefaultAdmin(true);
      return jsonResponse(200, { status: 'reset', ...result });
    },
  },
  {
    method: 'POST',
    template: '/artifacts',
    run: async ({ registry }, event) => {
      const page = await registry.list(parseJsonArray(event), query(event, 'offset'));
      return jsonResponse(200, page.items, page.nextOffset ? { offset: page.nextOffset } : {});
    },
  },
  { method: 'GET', template: '/artifact/byName/{name}', run: async ({ registry }, _e, p) => jsonResponse(200, await registry.byName(p.name)) },
  { method: 'POST', template: '/artifact/byRegEx', run: async ({ registry }, event) => jsonResponse(200, await registry.byRegex(parseJsonBody(event))) },
  { method: 'GET', template: '/artifact/model/{id}/rate', run: async ({ registry }, _e, p) => jsonResponse(200, await registry.rating(p.id)) },
  { method: 'GET', template: '/artifact/model/{id}/lineage', run: async (d, _e, p) => jsonResponse(200, await insights(d).lineage(p.id)) },
  { method: 'POST', template: '/artifact/model/{id}/license-check', run: async (d, e, p) => jsonResponse(200, await insights(d).licenseCheck(p.id, parseJsonBody(e))) },
  { method: 'GET', template: '/artifact/{artifact_type}/{id}/cost', run: async (d, e, p) => jsonResponse(200, await insights(d).cost(p.artifact_type, p.id, query(e, 'dependency'))) },
  { method: 'GET', template: '/artifact/{artifact_type}/{id}/audit', run: async (d, _e, p) => jsonResponse(200, await insights(d).audit(p.artifact_type, p.id)) },
  { method: 'POST', template: UPLOAD_URL_ROUTE, run: async (d, e, p) => jsonResponse(201, await uploadsOf(d).request({ ...parseJsonBody(e), type: p.artifact_type })) },
  { method: 'POST', template: '/artifact/{artifact_type}', run: createArtifact },
  { method: 'GET', template: '/artifacts/{artifact_type}/{id}', run: getArtifact },
  { method: 'PUT', template: '/artifacts/{artifact_type}/{id}', run: replaceArtifact },
  {
    method: 'DELETE',
    template: '/artifacts/{artifact_type}/{id}',
    run: async ({ registry }, _e, p) => jsonResponse(200, await registry.delete(p.artifact_type, p.id)),
  },
];

export function createArtifactHandler(getDeps: () => Promise<ArtifactHandlerDeps>) {
  return async (event: unknown): Promise<APIGatewayProxyResult> => {
    try {
      if (isS3Event(event)) return jsonResponse(200, { settled: await uploadsOf(await getDeps()).settleEvent(event) });
      if (!isApiGatewayV1Event(event) && !isBareRestEvent(event)) throw new LarderError('EVENT_INVALID', 'expected an API Gateway REST (v1) proxy event');
      validateRestEventFields(event);
      const match = matchRoute(event);
      const deps = await getDeps();
      const user = await authorize(deps, match.route, event);
      return await runAs(user, () => match.route.run(deps, event, match.params));
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export const handler = createArtifactHandler(async () => {
  const runtime = await defaultRegistryRuntime();
  return { registry: runtime.registry, maxUploadBytes: runtime.limits.maxUploadBytes, insights: runtime.insights, auth: runtime.auth, uploads: runtime.uploads };
});

/** The caller, from X-Authorization when access control is on; admin-only routes refuse others (401, as the spec's reset says). */
async function authorize({ auth }: ArtifactHandlerDeps, route: Route, event: APIGatewayProxyEvent): Promise<AuthUser> {
  if (!auth?.enabled || route.open) return { name: 'anonymous', is_admin: !auth?.enabled };
  const user = await auth.authorize(header(event, 'x-authorization'));
  if (route.admin && !user.is_admin) throw new AuthError(`${route.method} ${route.template} is for admins only`, 401);
  return user;
}

function authOf({ auth }: ArtifactHandlerDeps): Authenticator {
  if (!auth?.enabled) throw new LarderError('NOT_IMPLEMENTED', 'this registry runs without authentication (registry.auth.mode is off; LARDER_REGISTRY_AUTH=required turns it on)', { statusCode: 501 });
  return auth;
}

function uploadsOf({ uploads }: ArtifactHandlerDeps): PresignedUploads {
  if (!uploads) throw new LarderError('NOT_IMPLEMENTED', 'presigned uploads are not wired in this handler', { statusCode: 501 });
  return uploads;
}

function insights({ insights }: ArtifactHandlerDeps): ArtifactInsights {
  if (!insights) throw new LarderError('NOT_IMPLEMENTED', 'this endpoint is not wired in this handler', { statusCode: 501 });
  return insights;
}

async function createArtifact(deps: ArtifactHandlerDeps, event: APIGatewayProxyEvent, p: Params): Promise<APIGatewayProxyResult> {
  if (isJsonRequest(event)) {
    const body = parseJsonBody(event);
    const view = await deps.registry.ingest({ type: p.artifact_type, url: body.url, name: body.name, dataset: body.dataset, code: body.code });
    return jsonResponse(202, view);
  }
  return jsonResponse(201, await pointLargeBodies(p.artifact_type, async () => deps.registry.upload({ type: p.artifact_type, ...(await readUpload(deps, event)) })));
}

async function getArtifact({ registry }: ArtifactHandlerDeps, event: APIGatewayProxyEvent, p: Params): Promise<APIGatewayProxyResult> {
  if (flag(event, 'metadata_only')) return jsonResponse(200, await registry.metadata(p.artifact_type, p.id));
  if (!flag(event, 'download')) return jsonResponse(200, await registry.get(p.artifact_type, p.id));
  const download = await registry.download(p.artifact_type, p.id);
  if (download.kind === 'redirect') return { statusCode: 302, headers: { Location: download.url }, body: '' };
  return {
    statusCode: 200,
    headers: {
      'Content-Type': download.contentType,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(download.fileName)}`,
    },
    body: download.bytes.toString('base64'),
    isBase64Encoded: true,
  };
}

async function replaceArtifact(deps: ArtifactHandlerDeps, event: APIGatewayProxyEvent, p: Params): Promise<APIGatewayProxyResult> {
  if (isJsonRequest(event)) return jsonResponse(200, await deps.registry.replaceSource(p.artifact_type, p.id, parseJsonBody(event)));
  const upload = await pointLargeBodies(p.artifact_type, () => readUpload(deps, event));
  return jsonResponse(200, await deps.registry.replaceBytes(p.artifact_type, p.id, upload));
}

/** A 413 names the way large artifacts go: the presigned upload path. */
async function pointLargeBodies<T>(type: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((err) => {
    throw err instanceof LarderError && err.statusCode === 413 ? largeBodyError(type, err) : err;
  });
}

/** The bytes of an upload: a multipart file part (+ name, dataset, code fields) or a raw body (+ X-Artifact-* headers). */
async function readUpload({ maxUploadBytes }: ArtifactHandlerDeps, event: APIGatewayProxyEvent) {
  const encodedLength = event.body?.length ?? 0;
  if (encodedLength > LAMBDA_REQUEST_BYTES) {
    throw new LarderError('TOO_LARGE', `the request body is ${encodedLength} bytes as sent; a Lambda request takes at most ${LAMBDA_REQUEST_BYTES}`, { statusCode: 413 });
  }
  const approxBytes = event.isBase64Encoded ? Math.floor((encodedLength * 3) / 4) : encodedLength;
  if (approxBytes > maxUploadBytes + 64 * 1024) {
    throw new LarderError('TOO_LARGE', `the request body is about ${approxBytes} bytes; the upload limit is ${maxUploadBytes}`, { statusCode: 413 });
  }
  const contentType = header(event, 'content-type') ?? '';
  const body = bodyBuffer(event);
  const headerName = header(event, 'x-artifact-name') ?? header(event, 'x-model-name');
  // ModelGuard's own test event says multipart/form-data but sends raw bytes (no boundary): a raw upload.
  if (/^multipart\/form-data/i.test(contentType) && /boundary=/i.test(contentType)) {
    const { file, fields } = await parseMultipart(body, contentType, { maxFileBytes: maxUploadBytes });
    return {
      bytes: file.bytes,
      contentType: file.contentType,
      fileName: file.fileName,
      name: fields.name ?? fields.model_name ?? (headerName === undefined ? stripExtension(file.fileName) : safeDecode(headerName)),
      dataset: fields.dataset,
      code: fields.code,
    };
  }
  if (headerName === undefined) {
    throw new ValidationError('a raw upload needs the artifact name in the X-Artifact-Name (or X-Model-Name) header, or send multipart/form-data with a "name" (or "model_name") field');
  }
  const rawType = contentType.split(';')[0].trim();
  return {
    bytes: body,
    contentType: /^multipart\//i.test(rawType) || !rawType ? 'application/octet-stream' : rawType,
    fileName: header(event, 'x-artifact-filename'),
    name: safeDecode(headerName),
    dataset: header(event, 'x-artifact-dataset'),
    code: header(event, 'x-artifact-code'),
  };
}

function matchRoute(event: APIGatewayProxyEvent): { route: Route; params: Params } {
  const method = event.httpMethod.toUpperCase();
  const fromResource = event.resource && !event.resource.includes('+}') ? event.resource : undefined;
  const path = fromResource ?? event.path ?? '/';
  const segments = path.split('/').filter(Boolean);
  let pathMatched = false;
  for (const route of ROUTES) {
    const params = matchTemplate(route.template, segments, fromResource ? event.pathParameters ?? {} : undefined);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  if (pathMatched) throw new LarderError('VALIDATION', `${method} is not supported on ${path}`, { statusCode: 405 });
  throw new LarderError('NOT_FOUND', `no route for ${method} ${path}`, { statusCode: 404 });
}

/** Params from the template; from pathParameters when the event names its resource, else decoded from the path. */
function matchTemplate(template: string, segments: string[], pathParameters?: Record<string, string | undefined>): Params | undefined {
  const parts = template.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < parts.length; i++) {
    const param = parts[i].match(/^\{(\w+)\}$/)?.[1];
    if (param) {
      if (pathParameters) {
        if (segments[i] !== parts[i]) return undefined;
        params[param] = pathParameters[param] ?? '';
      } else params[param] = safeDecode(segments[i]);
    } else if (parts[i] !== segments[i]) return undefined;
  }
  return params;
}

function parseJsonArray(event: APIGatewayProxyEvent): unknown {
  const text = bodyBuffer(event).toString('utf8');
  if (!text.trim()) throw new ValidationError('request body is empty; expected a JSON array of artifact queries');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A REST event without requestContext, as ModelGuard's notes build them by hand: httpMethod and path are enough to route. */
function isBareRestEvent(event: unknown): event is APIGatewayProxyEvent {
  const e = event as Record<string, unknown> | null;
  return typeof e === 'object' && e !== null && typeof e.httpMethod === 'string' && typeof e.path === 'string';
}

function isJsonRequest(event: APIGatewayProxyEvent): boolean {
  const contentType = header(event, 'content-type');
  if (contentType) return /^application\/(.+\+)?json/i.test(contentType);
  return bodyBuffer(event).toString('utf8', 0, 64).trimStart().startsWith('{');
}

function query(event: APIGatewayProxyEvent, name: string): string | undefined {
  return event.queryStringParameters?.[name] ?? undefined;
}

function flag(event: APIGatewayProxyEvent, name: string): boolean {
  const v = query(event, name)?.toLowerCase();
  return v === 'true' || v === '1' || v === '';
}

function stripExtension(fileName: string | undefined): string | undefined {
  return fileName?.replace(/(\.tar)?\.[A-Za-z0-9]{1,10}$/, '') || undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
