/**
 * The process inside one sandbox: Lambda's runtime loop over IPC. It loads the handler once (the
 * init phase), then answers `invoke` messages one at a time for as long as the supervisor keeps it
 * warm, so module state and files in the sandbox's /tmp survive between invocations exactly as they
 * do in a warm Lambda execution environment.
 *
 * Plain JavaScript on purpose: with `--bundle` no TypeScript loader is needed at all; with sources,
 * tsx's ESM loader is registered here (and timed, so cold starts can be broken into parts).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const processBootMs = performance.now();
const config = JSON.parse(process.env.LARDER_SANDBOX_BOOTSTRAP ?? '{}');
delete process.env.LARDER_SANDBOX_BOOTSTRAP;

let currentRequestId;
let handlerFn;
let inFlight = false;

function send(message) {
  if (process.connected) process.send(message);
}

/** console.* formatted like the Lambda Node.js runtime: timestamp, request id, level, message. */
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}`;
      send({ type: 'log', line });
    };
  }
}

export function lambdaError(err) {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function initError(errorType, err) {
  const e = lambdaError(err);
  return { errorType, errorMessage: `${e.errorType}: ${e.errorMessage}`, trace: e.trace };
}

async function init() {
  patchConsole();
  let loaderMs = 0;
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
  const t = performance.now();
  let mod;
  try {
    mod = await import(pathToFileURL(config.handlerFile).href);
  } catch (err) {
    const code = err && err.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { error: initError('Runtime.ImportModuleError', err) };
    if (err instanceof SyntaxError) return { error: initError('Runtime.UserCodeSyntaxError', err) };
    // Any other error thrown while the module loads is reported as itself, as Lambda does.
    return { error: lambdaError(err) };
  }
  const exportName = config.exportName;
  const fn = mod[exportName] ?? mod.default?.[exportName];
  if (typeof fn !== 'function') {
    return {
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${config.handlerString} is undefined or not exported`,
        trace: [],
      },
    };
  }
  if (config.refuseCallbacks && fn.length >= 3) {
    return {
      error: {
        errorType: 'Runtime.CallbackHandlerDeprecated',
        errorMessage: `${config.runtime} does not support callback-based handlers (${config.handlerString} takes 3 arguments); return a Promise (use an async function) instead`,
        trace: [],
      },
    };
  }
  handlerFn = fn;
  return { timings: { processBootMs, loaderMs, storageMs, handlerInitMs: performance.now() - t } };
}

function makeContext(msg) {
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
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
  };
  return context;
}

function runHandler(event, context) {
  return new Promise((resolvePromise, rejectPromise) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) rejectPromise(err);
      else resolvePromise(result);
    };
    context.done = callback;
    context.succeed = (result) => callback(null, result);
    context.fail = (err) => callback(err ?? new Error('handled'));
    let returned;
    try {
      returned = handlerFn(event, context, callback);
    } catch (err) {
      return callback(err);
    }
    if (returned && typeof returned.then === 'function') returned.then((r) => callback(null, r), (e) => callback(e));
    else if (handlerFn.length < 3) callback(null, returned);
  });
}

async function onInvoke(msg) {
  inFlight = true;
  currentRequestId = msg.requestId;
  const context = makeContext(msg);
  const started = performance.now();
  let reply;
  try {
    const result = await runHandler(msg.event, context);
    const durationMs = performance.now() - started;
    reply = { type: 'result', requestId: msg.requestId, ok: true, payload: result === undefined ? 'null' : JSON.stringify(result), durationMs };
  } catch (err) {
    const durationMs = performance.now() - started;
    reply = { type: 'result', requestId: msg.requestId, ok: false, error: lambdaError(err), durationMs };
  }
  reply.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  inFlight = false;
  currentRequestId = undefined;
  send(reply);
}

function crash(errorType, err) {
  // Lambda's runtime exits on an uncaught error; the supervisor reports it and the next call is cold.
  send({ type: 'crash', requestId: currentRequestId, inFlight, error: { ...lambdaError(err), errorType } });
  setImmediate(() => process.exit(129));
}
process.on('uncaughtException', (err) => crash('Runtime.UncaughtException', err));
process.on('unhandledRejection', (err) => crash('Runtime.UnhandledPromiseRejection', err));
process.on('disconnect', () => process.exit(0));

process.on('message', (msg) => {
  if (msg?.type === 'invoke') void onInvoke(msg);
});

const outcome = await init();
if (outcome.error) {
  send({ type: 'init-error', error: outcome.error });
  setImmediate(() => process.exit(1));
} else {
  send({ type: 'ready', timings: outcome.timings });
}
