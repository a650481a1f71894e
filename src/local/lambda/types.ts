/** What an invocation returns and takes: the emulator's public shapes (re-exported by ../emulator). */
import type { LambdaErrorPayload } from '../sandbox';
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
  /** Supervisor round trip, for overhead measurements. */
  roundTripMs: number;
}

export interface InvokeOptions {
  /** Discard warm sandboxes of this function first, so this call starts a fresh one. */
  cold?: boolean;
  clientContext?: unknown;
  /** Use this request id (an async event keeps its id across retries, as in Lambda). */
  requestId?: string;
}
