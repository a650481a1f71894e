/**
 * `larder start-api`: the template's Api events served over HTTP like API Gateway REST (v1 proxy
 * integration) in front of the emulator. Unknown routes answer API Gateway's 403 "Missing
 * Authentication Token"; a function error or a malformed result answers 502 "Internal server error"
 * (the log says which); CORS preflight comes from the Api's Cors settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLarderError } from '../errors';
import type { LambdaEmulator } from './emulator';
import { matchPath, routesFromTemplate, type Route } from './apiRoutes';
import { buildProxyEvent, proxyResultToHttp } from './apiGatewayEvent';
import { listen, readBody, type RunningServer } from './httpServer';

export interface ApiServerOptions {
  emulator: LambdaEmulator;
  host?: string;
  port?: number;
  /** API Gateway refuses bodies over 10 MB. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface ApiServer extends RunningServer {
  routes: Route[];
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { emulator } = options;
  const routes = routesFromTemplate(emulator.template);
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = matchPath(routes, url.pathname);
    const match = matches.find((m) => m.route.method === method || m.route.method === 'ANY');
    if (!match) {
      const cors = matches[0]?.route.api.cors;
      if (method === 'OPTIONS' && cors) {
        res.writeHead(200, {
          'Access-Control-Allow-Origin': cors.allowOrigin,
          ...(cors.allowMethods ? { 'Access-Control-Allow-Methods': cors.allowMethods } : {}),
          ...(cors.allowHeaders ? { 'Access-Control-Allow-Headers': cors.allowHeaders } : {}),
          ...(cors.maxAge ? { 'Access-Control-Max-Age': cors.maxAge } : {}),
          ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
          'Content-Length': '0',
        });
        return res.end();
      }
      log(`[larder start-api] ${method} ${url.pathname}: no route in the template${matches.length ? ` for ${method} (this path takes ${matches.map((m) => m.route.method).join(', ')})` : ''}`);
      return sendJson(res, 403, { message: 'Missing Authentication Token' });
    }
    const body = await readBody(req, maxBody);
    if (!body) return sendJson(res, 413, { message: 'Request Too Long' });
    const event = buildProxyEvent(req, url, body, match);
    let result;
    try {
      result = await emulator.invoke(match.route.fn.logicalId, event);
    } catch (err) {
      if (isLarderError(err) && err.statusCode === 429) return sendJson(res, 429, { message: 'Too Many Requests' });
      throw err;
    }
    if (result.functionError) {
      log(`[larder start-api] ${match.route.fn.logicalId} failed: ${result.error?.errorType}: ${result.error?.errorMessage}`);
      return sendJson(res, 502, { message: 'Internal server error' });
    }
    const http = proxyResultToHttp(result.payload);
    if ('invalid' in http) {
      log(`[larder start-api] Invalid lambda response from ${match.route.fn.logicalId}: ${http.invalid}`);
      return sendJson(res, 502, { message: 'Internal server error' });
    }
    for (const [k, v] of Object.entries(http.headers)) res.setHeader(k, v);
    res.setHeader('Content-Length', String(http.body.length));
    res.setHeader('x-amzn-RequestId', result.requestId);
    res.writeHead(http.statusCode);
    res.end(http.body);
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
  return { ...server, routes };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
