/**
 * The Bedrock Runtime emulator's HTTP layer: routes bedrock-runtime REST paths to the handlers and
 * turns every failure into Bedrock's error shape, so the real BedrockRuntimeClient works unchanged
 * (SigV4 headers are accepted and ignored). HTTP/1.1 and h2c share one port (dualProtocolServer.ts).
 *
 *   POST /model/{modelId}/invoke      InvokeModel — Titan v2 / Cohere v3 / Cohere v4 embeddings, and
 *                                     chat models' native bodies (Anthropic, Nova, Llama, Mistral)
 *   POST /model/{modelId}/converse    Converse — extractive answers from the prompt's context
 *   POST /model/{modelId}/converse-stream   ConverseStream — the same answer as event-stream deltas
 *   POST /model/{modelId}/count-tokens      CountTokens — the estimate Converse reports as inputTokens
 *   GET  /__larder/health             readiness probe (not a Bedrock route)
 *
 * Anything else is a 404 in the same error shape. A request may ask for an error on purpose with
 * the header `x-larder-bedrock-error: <ErrorName>` (e.g. ThrottlingException), so tests can check
 * how callers handle each error without a proxy in front.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import { createDualProtocolServer, type DualRequest as IncomingMessage, type DualResponse as ServerResponse } from './dualProtocolServer';
import { LarderError } from '../../../errors';
import { invokeChatModel } from './chatInvoke';
import { invokeCohereEmbedding } from './cohere';
import { converse, converseStreamEvents, countConverseTokens, unsupportedModelForConverse } from './converse';
import { encodeEvent } from './eventStream';
import { countTokens } from './countTokens';
import { BedrockServiceError, isBedrockErrorName, validationError } from './errors';
import type { InvokeResult } from './invokeTypes';
import { resolveModel } from './models';
import { invokeTitanEmbedding } from './titan';
import { parseJsonObject } from './validate';

export interface BedrockEmulatorOptions {
  host?: string;
  /** 0 → a free port. */
  port?: number;
}

export interface BedrockEmulator {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Largest request body accepted (Bedrock's InvokeModel body limit is of this order). */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;
export const SIMULATE_ERROR_HEADER = 'x-larder-bedrock-error';

const ROUTE = /^\/model\/([^/]+)\/(invoke|converse|converse-stream|invoke-with-response-stream|count-tokens)$/;

export async function startBedrockEmulator(options: BedrockEmulatorOptions = {}): Promise<BedrockEmulator> {
  const host = options.host ?? '127.0.0.1';
  const dual = createDualProtocolServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => sendError(res, toBedrockError(error)));
  });
  const server = dual.tcp;
  await listen(server, host, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    endpoint: `http://${urlHost}:${port}`,
    port,
    close: () => dual.close(),
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAtMs = performance.now();
  const path = (req.url ?? '/').split('?')[0]!;
  if (req.method === 'GET' && path === '/__larder/health') {
    return sendJson(res, 200, { ok: true, service: 'bedrock-runtime' });
  }
  const route = ROUTE.exec(path);
  if (!route) {
    await drain(req);
    throw new BedrockServiceError('ResourceNotFoundException', `No route for ${req.method} ${path}: the Larder Bedrock emulator serves POST /model/{modelId}/invoke, /converse, /converse-stream and /count-tokens.`);
  }
  if (req.method !== 'POST') {
    await drain(req);
    throw new BedrockServiceError('ValidationException', `Method ${req.method} is not allowed on ${path}; use POST.`, 405);
  }
  const simulated = req.headers[SIMULATE_ERROR_HEADER];
  if (typeof simulated === 'string' && simulated) {
    await drain(req);
    const name = simulated.trim();
    if (!isBedrockErrorName(name)) throw validationError(`${SIMULATE_ERROR_HEADER}: unknown error name ${name}`);
    throw new BedrockServiceError(name, `Simulated ${name} (requested with the ${SIMULATE_ERROR_HEADER} header).`);
  }

  const modelId = decodeModelId(route[1]!);
  const operation = route[2]!;
  const raw = await readBody(req);
  const model = resolveModel(modelId);

  if (operation === 'invoke') {
    const body = parseJsonObject(raw);
    const result: InvokeResult =
      model.kind === 'chat'
        ? invokeChatModel(body, model, startedAtMs)
        : model.format === 'titan-embed-v2'
          ? invokeTitanEmbedding(body, model)
          : invokeCohereEmbedding(body, model);
    return sendJson(res, 200, result.body, {
      'x-amzn-bedrock-invocation-latency': String(Math.round(performance.now() - startedAtMs)),
      'x-amzn-bedrock-input-token-count': String(result.inputTokens),
      'x-amzn-bedrock-output-token-count': String(result.outputTokens),
    });
  }
  if (operation === 'converse') {
    if (model.kind !== 'chat') throw unsupportedModelForConverse();
    const result = converse(parseJsonObject(raw), model, startedAtMs);
    return sendJson(res, 200, result.body);
  }
  if (operation === 'converse-stream') {
    if (model.kind !== 'chat') throw unsupportedModelForConverse();
    const result = converse(parseJsonObject(raw), model, startedAtMs);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
    // Both response classes have write(Buffer); their union's overloads just don't unify for tsc.
    const stream = res as unknown as { write(chunk: Buffer): boolean };
    for (const [eventType, payload] of converseStreamEvents(result)) stream.write(encodeEvent(eventType, payload));
    res.end();
    return;
  }
  if (operation === 'count-tokens') {
    if (model.kind !== 'chat') throw validationError("The provided model doesn't support counting tokens.");
    return sendJson(res, 200, { inputTokens: countTokens(parseJsonObject(raw)) });
  }
  if (operation === 'invoke-with-response-stream' && model.kind === 'embedding') {
    throw validationError('The model is unsupported for streaming');
  }
  throw validationError(`The Larder Bedrock emulator does not emulate ${operation} for ${modelId}; use invoke (embeddings) or converse.`);
}

function decodeModelId(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw validationError('The provided model identifier is invalid.');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(validationError(`Request body of ${size} bytes exceeds the ${MAX_BODY_BYTES}-byte limit.`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

async function drain(req: IncomingMessage): Promise<void> {
  await readBody(req).catch(() => undefined);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: BedrockServiceError): void {
  try {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // restJson1: the SDK reads the error name from x-amzn-ErrorType first (see errors.ts).
    sendJson(res, error.statusCode, { message: error.message }, { 'x-amzn-errortype': error.errorName });
  } catch {
    // The client went away (an HTTP/2 stream reset, a closed socket): nobody is left to tell.
    res.destroy();
  }
}

function toBedrockError(error: unknown): BedrockServiceError {
  if (error instanceof BedrockServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BedrockServiceError('InternalServerException', `Larder Bedrock emulator bug: ${message}`);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new LarderError('PORT_IN_USE', `Bedrock emulator: port ${port} on ${host} is already in use. Pick another port or stop the process using it.`, { cause: error }));
      } else {
        reject(new LarderError('SERVICE_START', `Bedrock emulator: could not listen on ${host}:${port}: ${error.message}`, { cause: error }));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
