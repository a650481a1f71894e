/**
 * The process inside one sandbox: Lambda's runtime loop over IPC. It loads the handler once (the
 * init phase), then answers `invoke` messages one at a time for as long as the supervisor keeps it
 * warm, so module state and files in the sandbox's /tmp survive between invocations exactly as they
 * do in a warm Lambda execution environment.
 *
 * What the handler sees follows Lambda's Node runtime interface client: the `awslambda` global
 * (`awslambda.streamifyResponse`, HttpResponseStream: awslambda.mjs), error payloads and "Invoke Error" log lines (errors.mjs), console and
 * stdout/stderr in order with the result (logCapture.mjs), callbackWaitsForEmptyEventLoop
 * (eventLoop.mjs), layers under /opt and the runtime's AWS SDK (optMount.mjs).
 *
 * Plain JavaScript on purpose: with `--bundle` no TypeScript loader is needed at all; with sources,
 * tsx's ESM loader is registered here (and timed, so cold starts can be broken into parts).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { toRapidResponse, toFormatted, UnhandledPromiseRejection } from './errors.mjs';
import { installLogCapture } from './logCapture.mjs';
import { activeResources, waitForEmptyEventLoop } from './eventLoop.mjs';
import { installAwsLambdaGlobal, isStreamingHandler, createResponseStream, HANDLER_HIGHWATERMARK } from './awslambda.mjs';

const processBootMs = performance.now();
const config = JSON.parse(process.env.LARDER_SANDBOX_BOOTSTRAP ?? '{}');
delete process.env.LARDER_SANDBOX_BOOTSTRAP;
// The real module search path was in NODE_PATH at start-up (CommonJS has read it); the function sees Lambda's value.
if (config.displayNodePath) process.env.NODE_PATH = config.displayNodePath;

let currentRequestId;
let handlerFn;
let inFlight = false;

function send(message) {
  if (process.connected) process.send(message);
}

const flushLogs = installLogCapture({ send, requestId: () => currentRequestId });

/** console.error as the runtime writes it for a failed invocation: "Invoke Error \t{...}". */
function logError(label, err) {
  console.error(label, toFormatted(err));
}

export const lambdaError = toRapidResponse;

function initError(errorType, err) {
  const e = toRapidResponse(err);
  return { errorType, errorMessage: `${e.errorType}: ${e.errorMessage}`, trace: e.trace };
}

async function init() {
  let loaderMs = 0;
  // ESM resolve hooks cost a loader thread (~0.1–0.6 s of cold start with a bundle): install them now
  // only when layers need /opt or tsx starts that thread anyway; otherwise only if an import misses.
  let hooksInstalled = false;
  const installHooks = async () => {
    hooksInstalled = true;
    const { installOptMount } = await import('./optMount.mjs');
    installOptMount({ layers: config.layers ?? [], fallbackModuleDirs: config.runtimeModulesDirs ?? [] });
  };
  if (config.layers?.length || config.typescript) await installHooks();
  if (config.typescript) {
    const t = performance.now();
    const { register } = await import('tsx/esm/api');
    register();
    loaderMs = performance.now() - t;
  }
  let storageMs = 0;
  if (config.tmpDir && config.ephemeralStorageBytes) {
    const t = performance.now();
    const { installStorageQuota } = await import('./storageQuota.mjs');
    await installStorageQuota({ root: config.tmpDir, budgetBytes: config.ephemeralStorageBytes });
    storageMs = performance.now() - t;
  }
  installAwsLambdaGlobal();
  const t = performance.now();
  let mod;
  const handlerUrl = pathToFileURL(config.handlerFile).href;
  try {
    try {
      mod = await import(handlerUrl);
    } catch (err) {
      // A package the function does not ship (the runtime's AWS SDK): resolve it as Lambda's NODE_PATH
      // would and load again. Linking failed before any module body ran, so nothing ran twice.
      if (hooksInstalled || !config.runtimeModulesDirs?.length || err?.code !== 'ERR_MODULE_NOT_FOUND' || !/Cannot find package/.test(String(err.message))) throw err;
      await installHooks();
      mod = await import(`${handlerUrl}?larder-retry=1`);
    }
  } catch (err) {
    const code = err && err.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { error: initError('Runtime.ImportModuleError', err) };
    if (err instanceof SyntaxError) return { error: initError('Runtime.UserCodeSyntaxError', err) };
    // Any other error thrown while the module loads is reported as itself, as Lambda does.
    return { error: toRapidResponse(err) };
  }
  const exportName = config.exportName;
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') {
    return { error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${config.handlerString} is undefined or not exported`, trace: [] } };
  }
  if (config.refuseCallbacks && fn.length >= 3 && !isStreamingHandler(fn)) {
    return {
      error: {
        errorType: 'Runtime.CallbackHandlerDeprecated',
        errorMessage: `${config.runtime} does not support callback-based handlers (${config.handlerString} takes 3 arguments); return a Promise (use an async function) instead`,
        trace: [],
      },
    };
  }
  handlerFn = fn;
  return { timings: { processBootMs, loaderMs, storageMs, handlerInitMs: performance.now() - t }, streaming: isStreamingHandler(fn) };
}

function makeContext(msg, callbackContext) {
  const context = {
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    invokedFunctionArn: msg.invokedFunctionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: msg.requestId,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    identity: undefined,
    clientContext: msg.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
  };
  return Object.defineProperties(context, Object.getOwnPropertyDescriptors(callbackContext));
}

/**
 * Runs a buffered handler. As in the runtime interface client: a returned promise settles the
 * invocation at once; `callback(null, result)` waits for the event loop to empty unless
 * `context.callbackWaitsForEmptyEventLoop` is false; `context.done/succeed/fail` never wait.
 */
function runHandler(event, msg) {
  return new Promise((resolvePromise, rejectPromise) => {
    let settled = false;
    let waiting = false;
    let waitsForEmptyLoop = true;
    const baseline = activeResources();
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) rejectPromise(err);
      else resolvePromise(result);
    };
    const callback = (err, result) => {
      if (settled || waiting) return;
      if ((err === null || err === undefined) && waitsForEmptyLoop) {
        waiting = true;
        void waitForEmptyEventLoop(baseline).then(() => finish(null, result));
        return;
      }
      finish(err, result);
    };
    const callbackContext = {
      get callbackWaitsForEmptyEventLoop() {
        return waitsForEmptyLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitsForEmptyLoop = value;
      },
      done: (err, result) => finish(err, result),
      succeed: (result) => finish(null, result),
      fail: (err) => finish(err ?? 'handled'),
    };
    let returned;
    try {
      returned = handlerFn(event, makeContext(msg, callbackContext), callback);
    } catch (err) {
      return finish(err);
    }
    if (returned && typeof returned.then === 'function') returned.then((r) => finish(null, r), (e) => finish(e));
    else if (handlerFn.length < 3) callback(null, returned);
  });
}

/** Runs a streaming handler: chunks go to the supervisor as they are written; the result is the end of the stream. */
async function runStreamingHandler(event, msg) {
  let ended;
  const finished = new Promise((r) => (ended = r));
  const stream = createResponseStream({
    highWaterMark: handlerFn[HANDLER_HIGHWATERMARK],
    onStart: (contentType) => send({ type: 'stream-start', requestId: msg.requestId, contentType }),
    onChunk: (chunk) => send({ type: 'stream-chunk', requestId: msg.requestId, data: chunk.toString('base64') }),
  });
  stream.on('finish', () => ended());
  const returned = handlerFn(event, stream, makeContext(msg, { callbackWaitsForEmptyEventLoop: true }));
  if (!returned || typeof returned.then !== 'function') throw new Error('Streaming does not support non-async handlers.');
  const result = await returned;
  if (result !== undefined) console.warn('Streaming handlers ignore return values.');
  if (!stream.writableFinished) {
    // The runtime fails an invocation whose stream was never ended; a little grace for a pending 'finish'.
    await Promise.race([finished, new Promise((r) => setTimeout(r, 20))]);
    if (!stream.writableFinished) throw new Error('Response stream is not finished.');
  }
}

async function onInvoke(msg) {
  inFlight = true;
  currentRequestId = msg.requestId;
  if (msg.traceId) process.env._X_AMZN_TRACE_ID = msg.traceId;
  const started = performance.now();
  let reply;
  try {
    if (isStreamingHandler(handlerFn)) {
      await runStreamingHandler(msg.event, msg);
      reply = { type: 'result', requestId: msg.requestId, ok: true, streamed: true };
    } else {
      const result = await runHandler(msg.event, msg);
      reply = { type: 'result', requestId: msg.requestId, ok: true, payload: result === undefined ? 'null' : JSON.stringify(result) };
    }
  } catch (err) {
    logError('Invoke Error', err);
    reply = { type: 'result', requestId: msg.requestId, ok: false, error: toRapidResponse(err) };
  }
  reply.durationMs = performance.now() - started;
  flushLogs();
  reply.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  inFlight = false;
  currentRequestId = undefined;
  send(reply);
}

function crash(label, error) {
  // Lambda's runtime logs the error, reports it as the invocation's error and exits; the next call is cold.
  logError(label, error);
  flushLogs();
  send({ type: 'crash', requestId: currentRequestId, inFlight, error: toRapidResponse(error) });
  setImmediate(() => process.exit(129));
}
process.on('uncaughtException', (err) => crash('Uncaught Exception', err));
process.on('unhandledRejection', (reason, promise) => crash('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason, promise)));
process.on('disconnect', () => process.exit(0));

process.on('message', (msg) => {
  if (msg?.type === 'invoke') void onInvoke(msg);
});

const outcome = await init();
if (outcome.error) {
  flushLogs();
  send({ type: 'init-error', error: outcome.error });
  setImmediate(() => process.exit(1));
} else {
  send({ type: 'ready', timings: outcome.timings, streaming: outcome.streaming });
}
