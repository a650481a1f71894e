/** What an invocation returns and takes: the emulator's public shapes (re-exported by ../emulator). */
import type { LambdaErrorPayload, StreamSink } from '../sandbox';
import type { InvocationReport } from './reportLine';

export interface InvokeResult {
  requestId: string;
  functionName: string;
  /** JSON text: the handler's result, or Lambda's error payload when functionError is set. */
  payload: string;
  functionError?: 'Unhandled';
  error?: LambdaErrorPayload;
  coldStart: boolean;
  sandboxId: string;
  report: InvocationReport;
  /** This invocation's log lines, START to REPORT (what `--log-type Tail` returns). */
  logLines: string[];
  /** A streaming handler's whole output (payload is then its text): content type and bytes. */
  stream?: { contentType: string; body: Buffer };
  /** Supervisor round trip, for overhead measurements. */
  roundTripMs: number;
}

export interface InvokeOptions {
  /** Discard warm sandboxes of this function first, so this call starts a fresh one. */
  cold?: boolean;
  clientContext?: unknown;
  /** Use this request id (an async event keeps its id across retries, as in Lambda). */
  requestId?: string;
  /** Receives a streaming handler's chunks as they are written. */
  sink?: StreamSink;
  /** X-Amzn-Trace-Id of the incoming request; a fresh one otherwise (the function sees _X_AMZN_TRACE_ID). */
  traceId?: string;
}
