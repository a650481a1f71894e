/**
 * `larder start-lambda`: Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) in
 * front of the emulator, so the SDK's LambdaClient and `aws lambda invoke --endpoint-url` work, and so
 * a handler can invoke another asynchronously (sandboxes get AWS_ENDPOINT_URL_LAMBDA pointing here).
 *
 * RequestResponse answers 200 with the payload (X-Amz-Function-Error: Unhandled on a function error,
 * X-Amz-Log-Result with `--log-type Tail`); Event answers 202 at once and runs in the background;
 * DryRun answers 204. InvokeWithResponseStream (`/2021-11-15/.../response-streaming-invocations`) is
 * lambdaStreamInvoke.ts. Errors use Lambda's shapes (x-amzn-ErrorType + {Type, message}).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLarderError } from '../errors';
import type { LambdaEmulator } from './emulator';
import { findFunction } from './template';
import { listen, readBody, type RunningServer } from './httpServer';
import { LOCAL_ACCOUNT_ID } from './intrinsics';
import { STREAM_INVOKE_PATH, streamInvocation } from './lambdaStreamInvoke';
import { jsonNestingDepth, MAX_EVENT_DEPTH } from './eventInput';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const SYNC_LIMIT_BYTES = 6 * 1024 * 1024;
/** Lambda's asynchronous payload limit (1 MB since 2025; 256 KB before). */
const ASYNC_LIMIT_BYTES = 1024 * 1024;

export interface LambdaApiServerOptions {
  emulator: LambdaEmulator;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

export async function startLambdaApiServer(options: LambdaApiServerOptions): Promise<RunningServer> {
  const { emulator } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const region = emulator.template.region;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const streamed = STREAM_INVOKE_PATH.exec(url.pathname);
    const m = INVOKE_PATH.exec(url.pathname) ?? streamed;
    if (!m || req.method !== 'POST') {
      return lambdaError(res, 404, 'UnknownOperationException', `larder start-lambda serves only POST /2015-03-31/functions/{name}/invocations and POST /2021-11-15/functions/{name}/response-streaming-invocations, not ${req.method} ${url.pathname}`);
    }
    let name: string;
    try {
      name = decodeURIComponent(m[1]);
    } catch {
      // A malformed escape is the caller's mistake: a 400 naming it, not a 500 "URI malformed".
      return lambdaError(res, 400, 'InvalidParameterValueException', `the function name in ${url.pathname} is not valid percent-encoding`);
    }
    try {
      findFunction(emulator.template, name);
    } catch {
      return lambdaError(res, 404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`);
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const allowed = streamed ? ['RequestResponse', 'DryRun'] : ['RequestResponse', 'Event', 'DryRun'];
    if (!allowed.includes(type)) {
      return lambdaError(res, 400, 'InvalidParameterValueException', `X-Amz-Invocation-Type must be ${allowed.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, found "${type}"`);
    }
    const limit = type === 'Event' ? ASYNC_LIMIT_BYTES : SYNC_LIMIT_BYTES;
    const body = await readBody(req, limit);
    if (!body) {
      return lambdaError(res, 413, 'RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for the ${type} invocation type`);
    }
    let event: unknown = {};
    if (body.length) {
      const text = body.toString('utf8');
      const depth = jsonNestingDepth(text);
      if (depth > MAX_EVENT_DEPTH) {
        return lambdaError(res, 400, 'InvalidRequestContentException', `Could not parse request body into json: the payload nests ${depth} levels deep; larder accepts at most ${MAX_EVENT_DEPTH}`);
      }
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        return lambdaError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not valid JSON');
      }
    }
    if (type === 'DryRun') return void res.writeHead(204).end();
    if (type === 'Event') {
      const requestId = emulator.invokeEvent(name, event);
      res.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': '0' });
      return res.end();
    }
    let clientContext: unknown;
    const cc = req.headers['x-amz-client-context'];
    if (typeof cc === 'string' && cc) {
      try {
        clientContext = JSON.parse(Buffer.from(cc, 'base64').toString('utf8'));
      } catch {
        return lambdaError(res, 400, 'InvalidRequestContentException', 'X-Amz-Client-Context must be base64-encoded JSON');
      }
    }
    const traceId = typeof req.headers['x-amzn-trace-id'] === 'string' ? req.headers['x-amzn-trace-id'] : undefined;
    const logTail = String(req.headers['x-amz-log-type'] ?? '') === 'Tail';
    let result;
    try {
      if (streamed) return await streamInvocation(res, emulator, name, event, { clientContext, logTail, traceId });
      result = await emulator.invoke(name, event, { clientContext, traceId });
    } catch (err) {
      if (isLarderError(err) && err.statusCode === 429) return lambdaError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.');
      throw err;
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Amz-Executed-Version': '$LATEST',
      'x-amzn-RequestId': result.requestId,
      'Content-Length': String(Buffer.byteLength(result.payload)),
    };
    if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
    if (logTail) {
      // Lambda returns the last 4 KB of the invocation's log, base64-encoded.
      const tail = Buffer.from(result.logLines.join('\n') + '\n', 'utf8');
      headers['X-Amz-Log-Result'] = tail.subarray(Math.max(0, tail.length - 4096)).toString('base64');
    }
    res.writeHead(200, headers);
    res.end(result.payload);
  };

  return listen(
    (req, res) => {
      handle(req, res).catch((err) => {
        log(`[larder start-lambda] ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) lambdaError(res, 500, 'ServiceException', err instanceof Error ? err.message : String(err));
        else res.end();
      });
    },
    options.host ?? '127.0.0.1',
    options.port ?? 3001,
    'start-lambda',
  );
}

function lambdaError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
