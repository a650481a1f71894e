/**
 * A streaming reverse proxy in front of one local service (node:http, no buffering of bodies, so S3
 * throughput stays close to the server's own). It counts requests per operation, applies the fault
 * rules of a FaultState, and serves its control API on the same port:
 *
 *   GET    /__larder/faults          the active rules
 *   POST   /__larder/faults          add a rule (or a JSON array of rules) → {"ids": [...]}
 *   DELETE /__larder/faults[?id=ID]  remove one rule, or all
 *   GET    /__larder/stats           requests per operation, e.g. {"GetObject": 3}
 *   DELETE /__larder/stats           reset the counts
 *   GET    /__larder/health          {"ok": true, "service": ...}
 *
 * For S3 it also makes s3rver answer like S3 on the way through (suffix ranges, aws-chunked bodies,
 * If-Match/If-None-Match): see s3/requestFixes.ts.
 *
 * `/__larder/` cannot collide with S3 (bucket names have no underscores), DynamoDB (always `/`) or
 * Bedrock Runtime (`/model/...`).
 */
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { constants as http2Constants, type Http2ServerResponse } from 'node:http2';
import { createDualProtocolServer, type DualRequest, type DualResponse } from './bedrock/dualProtocolServer';
import { defaultErrorCode, errorReply } from './errorShapes';
import { parseFaultRules, type FaultState } from './faults';
import { operationOf } from './operations';
import { portInUseError, sleep, type ServiceName } from './process';
import { fixS3Request } from './s3/requestFixes';
import { LarderError } from '../../errors';

export interface FaultProxyOptions {
  service: ServiceName;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The service behind the proxy, e.g. http://127.0.0.1:41234. */
  target: string;
  state: FaultState;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const BODY_HEAD_BYTES = 1024 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect']);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { service, host, state } = options;
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });

  // HTTP/1.1 and h2c on one port: BedrockRuntimeClient speaks cleartext HTTP/2 to http:// endpoints.
  const server = createDualProtocolServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendError(res, service, 502, `larder fault proxy: ${err.message}`, req.method ?? 'GET');
      else destroyResponse(res);
    });
  });

  async function handle(req: DualRequest, res: DualResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/__larder/')) return control(req, res, state, service);
    const method = req.method ?? 'GET';
    const operation = operationOf(service, method, url, req.headers);
    state.count(operation);

    let head: Buffer[] = [];
    const withBody = hasBody(req);
    let ended = !withBody;
    if (state.needsBody() && !ended) ({ chunks: head, ended } = await readHead(req, BODY_HEAD_BYTES));
    const decision = state.decide(operation, url.split('?')[0], head.length ? Buffer.concat(head).toString('utf8') : undefined);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.fail) {
      if (!ended) await drain(req);
      const { status, code } = decision.fail;
      res.setHeader('x-larder-fault', 'injected');
      return sendError(res, service, status, `Injected by larder: ${operation} failed on purpose`, method, code);
    }

    let headers = forwardHeaders(req.headers);
    let decoder: NodeJS.ReadWriteStream | undefined;
    if (service === 's3') {
      const fix = await fixS3Request(target, url, operation, headers, withBody, agent);
      if (fix.reply) {
        if (!ended) await drain(req);
        return sendError(res, service, fix.reply.status, fix.reply.message, method, fix.reply.code);
      }
      ({ headers, decoder } = fix);
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method, path: url, headers, agent },
      (up) => {
        const headers = forwardHeaders(up.headers);
        if (decision.truncate) return truncate(up, res, headers, method);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res as NodeJS.WritableStream);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) sendError(res, service, 502, `larder fault proxy: ${service} did not answer: ${err.message}`, method);
      else destroyResponse(res);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    const body: NodeJS.WritableStream = decoder ?? upstream;
    if (decoder) {
      decoder.pipe(upstream);
      decoder.on('error', (err) => {
        upstream.destroy();
        if (!res.headersSent) sendError(res, service, 400, `larder fault proxy: ${err.message}`, method, 'IncompleteBody');
      });
    }
    for (const chunk of head) body.write(chunk);
    if (ended) body.end();
    else (req as NodeJS.ReadableStream).pipe(body);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? portInUseError(service, host, options.port, err) : new LarderError('SERVICE_START', `${service}: cannot listen on ${host}:${options.port}: ${err.message}`, { cause: err }));
    server.tcp.once('error', onError);
    server.tcp.listen(options.port, host, () => {
      server.tcp.off('error', onError);
      resolve();
    });
  });
  const address = server.tcp.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    async close() {
      agent.destroy();
      await server.close();
    },
  };
}

/** Sends headers and half the body, then destroys the connection; no body → reset right away. */
function truncate(up: IncomingMessage, res: DualResponse, headers: IncomingHttpHeaders, method: string): void {
  const length = Number(up.headers['content-length']);
  const hasBytes = method !== 'HEAD' && up.statusCode !== 204 && up.statusCode !== 304 && !(length === 0);
  if (!hasBytes) {
    up.destroy();
    destroyResponse(res);
    return;
  }
  let budget = Number.isFinite(length) ? Math.floor(length / 2) : undefined;
  res.writeHead(up.statusCode ?? 200, headers);
  if ('flushHeaders' in res) res.flushHeaders();
  const cut = () => {
    up.destroy();
    destroyResponse(res);
  };
  let done = false;
  up.on('data', (chunk: Buffer) => {
    if (done) return;
    const allowed = budget === undefined ? Math.floor(chunk.length / 2) : Math.min(budget, chunk.length);
    if (budget !== undefined) budget -= allowed;
    done = budget === undefined || budget <= 0;
    if (done) up.pause();
    if (allowed > 0) (res as NodeJS.WritableStream).write(chunk.subarray(0, allowed), done ? cut : undefined);
    else if (done) cut();
  });
  up.on('end', cut);
}

async function control(req: DualRequest, res: DualResponse, state: FaultState, service: ServiceName): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  try {
    if (url.pathname === '/__larder/health' && req.method === 'GET') return reply(200, { ok: true, service });
    if (url.pathname === '/__larder/faults') {
      if (req.method === 'GET') return reply(200, { rules: state.list() });
      if (req.method === 'DELETE') {
        state.clear(url.searchParams.get('id') ?? undefined);
        return reply(200, { rules: state.list() });
      }
      if (req.method === 'POST') {
        const text = Buffer.concat((await readHead(req, 64 * 1024)).chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return reply(400, { error: 'the body must be a fault rule as JSON (or an array of rules)' });
        }
        const rules = parseFaultRules(json, 'POST /__larder/faults');
        return reply(200, { ids: rules.map((rule) => state.add(rule)) });
      }
    }
    if (url.pathname === '/__larder/stats') {
      if (req.method === 'GET') return reply(200, state.stats());
      if (req.method === 'DELETE') {
        state.resetStats();
        return reply(200, {});
      }
    }
    return reply(404, { error: `no such control endpoint: ${req.method} ${url.pathname} (try /__larder/faults or /__larder/stats)` });
  } catch (err) {
    return reply(400, { error: (err as Error).message });
  }
}

function sendError(res: DualResponse, service: ServiceName, status: number, message: string, method: string, code?: string): void {
  const shaped = errorReply(service, status, code ?? defaultErrorCode(service, status), message, method);
  res.writeHead(shaped.status, { ...shaped.headers, 'content-length': Buffer.byteLength(shaped.body) });
  res.end(shaped.body);
}

/**
 * Drops hop-by-hop headers; node picks the framing of each side itself (a body without a length is
 * sent chunked). `Expect: 100-continue` is answered by our server, so it is not passed on. The Host
 * header is kept: s3rver checks signatures, which cover it.
 */
function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith(':')) out[name] = value;
  }
  // HTTP/2 requests carry the host as the :authority pseudo-header.
  if (out.host === undefined && typeof headers[':authority'] === 'string') out.host = headers[':authority'];
  return out;
}

/**
 * Cuts the connection (HTTP/1.1) or resets the stream (HTTP/2) mid-response. HTTP/2 needs an error
 * code: a reset with NO_ERROR after a short body looks like a normal end to the client.
 */
function destroyResponse(res: DualResponse): void {
  if ('stream' in res) (res as Http2ServerResponse).stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else res.socket?.destroy();
}

function hasBody(req: DualRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  // HTTP/1.1 without a length has no body unless chunked; HTTP/2 may stream one without either.
  return req.headers['transfer-encoding'] !== undefined || req.httpVersionMajor === 2;
}

function readHead(req: DualRequest, limit: number): Promise<{ chunks: Buffer[]; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', reject);
      resolve({ chunks, ended });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        req.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function drain(req: DualRequest): Promise<void> {
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}
