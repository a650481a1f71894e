/**
 * Error shapes exactly as Lambda's Node runtime interface client (aws-lambda-nodejs-runtime-interface-
 * client, src/Errors.js) produces them: the payload an invocation error answers with
 * (`toRapidResponse`) and the tab-prefixed JSON it logs after "Invoke Error" (`toFormatted`).
 */
import { types } from 'node:util';

function looksLikeError(obj) {
  return obj && typeof obj.name === 'string' && typeof obj.message === 'string' && typeof obj.stack === 'string' && obj.name && obj.message && obj.stack;
}

/** The error payload of a failed invocation: {errorType, errorMessage, trace}. */
export function toRapidResponse(error) {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** What follows "Invoke Error" / "Uncaught Exception" in the log: a tab, then the error as JSON with its own properties. */
export function toFormatted(error) {
  const err = error instanceof Error ? error : new Error(error);
  try {
    return '\t' + JSON.stringify(err, (_k, v) => withEnumerableProperties(v));
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(err));
  }
}

function withEnumerableProperties(value) {
  if (!(value instanceof Error)) return value;
  const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

/** Lambda's own error classes carry a `Runtime.` prefix in their name. */
export class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    // Error(reason) stringifies the reason: an Error becomes "Error: <message>", as Lambda reports it.
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';
