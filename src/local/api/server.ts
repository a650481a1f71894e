/**
 * `larder start-api`: every API of the template on one port, as `sam local start-api` serves them —
 * REST routes as payload 1.0 events, HTTP API routes as 2.0 (or 1.0) events — with API Gateway's
 * gateway-side behaviour in front of the function: stage prefix accepted, CORS preflight, API keys
 * and authorizers (a rejected request never reaches the function), API Gateway's error answers.
 * Each concern is its own module in this folder; this one only puts them in order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLarderError } from '../../errors';
import type { LambdaEmulator } from '../emulator';
import { listen, readBody, type RunningServer } from '../httpServer';
import { buildRouteTable, matchRequest, type Route, type RouteMatch } from './routes';
import { requestParts, type RequestParts } from './requestParts';
import { buildProxyEvent } from './restEvent';
import { buildV2Event } from './httpEvent';
import { runLambdaAuthorizer, type AuthOutcome } from './authorizers';
import { checkJwt, JWT_SIGNATURE_WARNING } from './jwt';
import { gatewayErrors, proxyResultToHttp, sendJson, sendParts, v2ResultToHttp } from './responses';
import { startFunctionUrlServers, type FunctionUrlServer } from './functionUrls';

export interface ApiServerOptions {
  emulator: LambdaEmulator;
  host?: string;
  port?: number;
  /** API Gateway refuses bodies over 10 MB. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
  /** First port of the Function URL servers (one per function with FunctionUrlConfig); 0 or unset: free ports. */
  functionUrlPort?: number;
}

export interface ApiServer extends RunningServer {
  routes: Route[];
  /** The Function URLs served beside the API, each on its own port. */
  functionUrls: FunctionUrlServer[];
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { emulator } = options;
  const { routes, warnings } = buildRouteTable(emulator.template);
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const said = new Set<string>();
  const warnOnce = (message: string) => {
    if (said.has(message)) return;
    said.add(message);
    log(`[larder start-api] warning: ${message}`);
  };
  for (const w of warnings) warnOnce(w);

  const authorize = async (req: IncomingMessage, url: URL, body: Buffer, parts: RequestParts, match: RouteMatch): Promise<AuthOutcome> => {
    const { route } = match;
    if (route.apiKeyRequired) {
      warnOnce('API keys are required by some routes: a request without an x-api-key header is refused (403), but key values are not checked offline');
      if (!parts.lowerHeaders['x-api-key']) return { allow: false, ...gatewayErrors.forbidden, reason: `${route.method} ${route.resource} requires an API key (x-api-key header)` };
    }
    const def = route.authorizer;
    if (!def) return { allow: true };
    if (def.kind === 'lambda') return runLambdaAuthorizer(emulator, def, req, url, body, parts, match);
    if (def.kind === 'jwt') {
      warnOnce(JWT_SIGNATURE_WARNING);
      return checkJwt(def, parts);
    }
    warnOnce(`authorizer ${def.name} is ${def.reason}: not enforced here, requests reach the function`);
    return { allow: true };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const { match, candidates } = matchRequest(routes, method, url.pathname);
    if (!match) {
      const cors = candidates[0]?.route.api.cors;
      if (method === 'OPTIONS' && cors) return preflight(res, cors);
      log(`[larder start-api] ${method} ${url.pathname}: no route in the template${candidates.length ? ` for ${method} (this path takes ${candidates.map((m) => m.route.method).join(', ')})` : ''}`);
      const e = gatewayErrors.noRoute(candidates[0]?.route.kind ?? (routes.some((r) => r.kind === 'rest') || !routes.length ? 'rest' : 'http'));
      return sendJson(res, e.status, e.body);
    }
    const body = await readBody(req, maxBody);
    if (!body) return sendJson(res, gatewayErrors.tooLarge.status, gatewayErrors.tooLarge.body);
    const parts = requestParts(req, url);
    const auth = await authorize(req, url, body, parts, match);
    if (!auth.allow) {
      log(`[larder start-api] ${method} ${url.pathname}: ${auth.reason}`);
      return sendJson(res, auth.status, auth.body);
    }
    const { route } = match;
    const event =
      route.payloadVersion === '2.0'
        ? buildV2Event(req, body, parts, {
            routeKey: route.resource === '$default' ? '$default' : `${route.method} ${route.resource}`,
            stage: route.api.stageName,
            pathParameters: match.pathParameters,
            path: match.path,
            authorizer: auth.context,
          })
        : buildProxyEvent(req, url, body, match, parts, auth.context);
    let result;
    try {
      const traceId = typeof req.headers['x-amzn-trace-id'] === 'string' ? req.headers['x-amzn-trace-id'] : undefined;
      result = await emulator.invoke(route.fn.logicalId, event, { traceId });
    } catch (err) {
      if (isLarderError(err) && err.statusCode === 429) return sendJson(res, 429, gatewayErrors.throttled.body);
      throw err;
    }
    if (result.functionError) {
      log(`[larder start-api] ${route.fn.logicalId} failed: ${result.error?.errorType}: ${result.error?.errorMessage}`);
      return sendJson(res, 502, gatewayErrors.badGateway.body);
    }
    const http = route.payloadVersion === '2.0' ? v2ResultToHttp(result.payload) : proxyResultToHttp(result.payload);
    if ('invalid' in http) {
      log(`[larder start-api] Invalid lambda response from ${route.fn.logicalId}: ${http.invalid}`);
      return sendJson(res, 502, gatewayErrors.badGateway.body);
    }
    sendParts(res, http, result.requestId);
  };

  const server = await listen(
    (req, res) => {
      handle(req, res).catch((err) => {
        log(`[larder start-api] ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
        else res.end();
      });
    },
    options.host ?? '127.0.0.1',
    options.port ?? 3000,
    'start-api',
  );
  let functionUrls: FunctionUrlServer[];
  try {
    functionUrls = await startFunctionUrlServers({ emulator, host: options.host, basePort: options.functionUrlPort, log });
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    ...server,
    routes,
    functionUrls,
    async close() {
      await Promise.all([server.close(), ...functionUrls.map((u) => u.close())]);
    },
  };
}

function preflight(res: ServerResponse, cors: NonNullable<Route['api']['cors']>): void {
  res.writeHead(200, {
    'Access-Control-Allow-Origin': cors.allowOrigin,
    ...(cors.allowMethods ? { 'Access-Control-Allow-Methods': cors.allowMethods } : {}),
    ...(cors.allowHeaders ? { 'Access-Control-Allow-Headers': cors.allowHeaders } : {}),
    ...(cors.maxAge ? { 'Access-Control-Max-Age': cors.maxAge } : {}),
    ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
    'Content-Length': '0',
  });
  res.end();
}
