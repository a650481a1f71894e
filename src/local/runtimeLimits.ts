/**
 * Limits and identifiers the Lambda service applies around an invocation, with its exact numbers and
 * wording: the synchronous response limit (6,291,556 bytes — 6 MB plus 100 bytes; the error names the
 * size) and the X-Ray trace header a function finds in `_X_AMZN_TRACE_ID`.
 */
import { randomBytes } from 'node:crypto';
import type { LambdaErrorPayload } from './sandbox';

export const SYNC_RESPONSE_LIMIT_BYTES = 6_291_556;

/** Lambda's error for a response over the limit, or undefined when it fits. */
export function responseTooLarge(payload: string): LambdaErrorPayload | undefined {
  const size = Buffer.byteLength(payload);
  if (size <= SYNC_RESPONSE_LIMIT_BYTES) return undefined;
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT_BYTES} bytes).`,
  };
}

/** A fresh `Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=0` trace header, as Lambda passes one to every invocation. */
export function traceIdHeader(now = Date.now()): string {
  const epoch = Math.floor(now / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0;Lineage=1:${randomBytes(4).toString('hex')}:0`;
}
