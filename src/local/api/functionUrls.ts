/**
 * Function URLs (FunctionUrlConfig), which `sam local` does not serve: each function with one gets
 * its own local server, since a URL is a whole origin (every path and method goes to the function).
 * Requests become payload 2.0 events with a `lambda-url` requestContext; results map as HTTP APIs map
 * them. InvokeMode RESPONSE_STREAM streams: the status line and headers come from the handler's
 * HttpResponseStream prelude (JSON, then 8 NUL bytes) and the body is forwarded as it is written.
 * AuthType AWS_IAM (SigV4 against real credentials) cannot be checked offline: one warning, then served.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaEmulator } from '../emulator';
import type { FunctionDefinition } from '../template';
import { listen, readBody, type RunningServer } from '../httpServer';
import { requestParts } from './requestParts';
import { buildV2Event } from './httpEvent';
import { sendJson, sendParts, v2ResultToHttp, type HttpResponseParts } from './responses';

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** Function URLs take request bodies up to 6 MB, like a synchronous invoke. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface FunctionUrlConfig {
  fn: FunctionDefinition;
  authType: 'NONE' | 'AWS_IAM';
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
}

export interface FunctionUrlServer extends RunningServer {
  logicalId: string;
  invokeMode: FunctionUrlConfig['invokeMode'];
}

export function functionUrlConfigs(emulator: LambdaEmulator): FunctionUrlConfig[] {
  const out: FunctionUrlConfig[] = [];
  for (const fn of emulator.template.functions) {
    const c = fn.functionUrlConfig ?? urlResourceFor(emulator, fn);
    if (!c || typeof c !== 'object') continue;
    out.push({ fn, authType: c.AuthType === 'AWS_IAM' ? 'AWS_IAM' : 'NONE', invokeMode: c.InvokeMode === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED' });
  }
  return out;
}

/** An `AWS::Lambda::Url` resource whose TargetFunctionArn is this function (CloudFormation's way to declare one). */
function urlResourceFor(emulator: LambdaEmulator, fn: FunctionDefinition): Record<string, any> | undefined {
  for (const res of Object.values(emulator.template.resources ?? {})) {
    if (res.Type !== 'AWS::Lambda::Url') continue;
    const target = String(res.Properties?.TargetFunctionArn ?? '');
    const name = /function:([^:/]+)/.exec(target)?.[1] ?? target;
    if (name === fn.functionName || name === fn.logicalId) return res.Properties;
  }
  return undefined;
}

/** Starts one server per function URL: on `basePort`, `basePort + 1`, … (0: free ports). */
export async function startFunctionUrlServers(options: { emulator: LambdaEmulator; host?: string; basePort?: number; log?: (line: string) => void }): Promise<FunctionUrlServer[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const servers: FunctionUrlServer[] = [];
  try {
    for (const [i, config] of functionUrlConfigs(options.emulator).entries()) {
      if (config.authType === 'AWS_IAM') log(`[larder function-url] warning: ${config.fn.logicalId} uses AuthType AWS_IAM; SigV4 signatures cannot be checked offline, so requests are served unsigned`);
      const urlId = randomBytes(16).toString('hex');
      const handler = (req: IncomingMessage, res: ServerResponse) =>
        serve(options.emulator, config, urlId, req, res, log).catch((err) => {
          log(`[larder function-url] ${config.fn.logicalId} ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
          if (!res.headersSent) sendJson(res, 500, { Message: 'Internal Server Error' });
          else res.end();
        });
      const port = options.basePort ? options.basePort + i : 0;
      const server = await listen(handler, options.host ?? '127.0.0.1', port, `function URL of ${config.fn.logicalId}`);
      servers.push({ ...server, logicalId: config.fn.logicalId, invokeMode: config.invokeMode });
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return servers;
}

async function serve(emulator: LambdaEmulator, config: FunctionUrlConfig, urlId: string, req: IncomingMessage, res: ServerResponse, log: (l: string) => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body) return sendJson(res, 413, { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunctionUrl operation' });
  const event = buildV2Event(req, body, requestParts(req, url), {
    routeKey: '$default',
    stage: '$default',
    pathParameters: null,
    path: url.pathname,
    functionUrl: { urlId, domainName: `${urlId}.lambda-url.${emulator.template.region}.on.aws`, authType: config.authType },
  });
  const streamed = config.invokeMode === 'RESPONSE_STREAM' ? new PreludeStream(res) : undefined;
  const result = await emulator.invoke(config.fn.logicalId, event, { sink: streamed });
  if (result.functionError) {
    log(`[larder function-url] ${config.fn.logicalId} failed: ${result.error?.errorType}: ${result.error?.errorMessage}`);
    if (!res.headersSent) return sendJson(res, 502, { Message: 'Internal Server Error' });
    return void res.end();
  }
  if (streamed) return streamed.finish(result.payload);
  // A streaming handler behind a BUFFERED URL: its whole output, prelude included, is the response.
  const parts = result.stream ? fromStream(result.stream.contentType, result.stream.body) : v2ResultToHttp(result.payload);
  if ('invalid' in parts) {
    log(`[larder function-url] invalid response from ${config.fn.logicalId}: ${parts.invalid}`);
    return sendJson(res, 502, { Message: 'Internal Server Error' });
  }
  sendParts(res, parts, result.requestId);
}

function splitPrelude(body: Buffer): { prelude: any; rest: Buffer } | undefined {
  const end = body.indexOf(Buffer.alloc(8));
  if (end < 0) return undefined;
  try {
    return { prelude: JSON.parse(body.subarray(0, end).toString('utf8')), rest: body.subarray(end + 8) };
  } catch {
    return undefined;
  }
}

function preludeHeaders(prelude: any): { status: number; headers: Record<string, string | string[]> } {
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of Object.entries<unknown>(prelude?.headers ?? {})) headers[k] = String(v);
  if (Array.isArray(prelude?.cookies) && prelude.cookies.length) headers['Set-Cookie'] = prelude.cookies.map(String);
  const status = Number(prelude?.statusCode ?? 200);
  return { status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200, headers };
}

function fromStream(contentType: string, body: Buffer): HttpResponseParts {
  const split = contentType === PRELUDE_CONTENT_TYPE ? splitPrelude(body) : undefined;
  if (!split) return { statusCode: 200, headers: { 'Content-Type': contentType }, body };
  const { status, headers } = preludeHeaders(split.prelude);
  return { statusCode: status, headers, body: split.rest };
}

/** Forwards a streaming handler's output: headers from the prelude (when there is one), then the body as written. */
class PreludeStream {
  private contentType = 'application/octet-stream';
  private pending = Buffer.alloc(0);
  private headersDone = false;
  private started = false;

  constructor(private readonly res: ServerResponse) {}

  start(contentType: string): void {
    this.started = true;
    this.contentType = contentType;
    if (contentType !== PRELUDE_CONTENT_TYPE) this.writeHead(200, { 'Content-Type': contentType });
  }

  chunk(data: Buffer): void {
    if (this.headersDone) return void this.res.write(data);
    this.pending = Buffer.concat([this.pending, data]);
    const split = splitPrelude(this.pending);
    if (!split) return;
    const { status, headers } = preludeHeaders(split.prelude);
    this.writeHead(status, headers);
    if (split.rest.length) this.res.write(split.rest);
  }

  /** After the invocation: a handler that never streamed answers like a buffered one. */
  finish(payload: string): void {
    if (!this.started) {
      const parts = v2ResultToHttp(payload);
      if ('invalid' in parts) return sendJson(this.res, 502, { Message: 'Internal Server Error' });
      return sendParts(this.res, parts);
    }
    if (!this.headersDone) {
      // The prelude never completed: send what came as an unlabelled body rather than lose it.
      this.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      if (this.pending.length) this.res.write(this.pending);
    }
    this.res.end();
  }

  private writeHead(status: number, headers: Record<string, string | string[]>): void {
    if (this.headersDone) return;
    this.headersDone = true;
    this.res.writeHead(status, { ...headers, 'Transfer-Encoding': 'chunked' });
    if (typeof (this.res as any).flushHeaders === 'function') this.res.flushHeaders();
  }
}
