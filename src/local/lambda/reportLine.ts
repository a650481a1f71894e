/**
 * The REPORT line CloudWatch shows after each invocation, built from the sandbox's measurements.
 * Kept apart from the pool so the line's format (which tools parse) has one home.
 */
import type { FunctionDefinition } from '../template';
import type { InitTimings } from '../sandbox';

export interface InvocationReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  init?: InitTimings;
  status?: 'error' | 'timeout';
  errorType?: string;
  line: string;
}

export interface ReportInput {
  fn: FunctionDefinition;
  requestId: string;
  durationMs: number;
  maxMemoryUsedMb: number;
  init?: InitTimings;
  status?: 'error' | 'timeout';
  errorType?: string;
  /** Defaults to init.totalMs; set alone for a failed init (no timings, but a duration). */
  initDurationMs?: number;
}

export function buildReport(input: ReportInput): InvocationReport {
  const { fn, requestId, durationMs, maxMemoryUsedMb, init, status, errorType } = input;
  const initDurationMs = input.initDurationMs ?? init?.totalMs;
  const billedDurationMs = Math.max(1, Math.ceil(durationMs));
  const parts = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${billedDurationMs} ms`,
    `Memory Size: ${fn.memoryMb} MB`,
    `Max Memory Used: ${maxMemoryUsedMb} MB`,
  ];
  if (initDurationMs !== undefined) parts.push(`Init Duration: ${initDurationMs.toFixed(2)} ms`);
  if (status) parts.push(`Status: ${status}`);
  if (errorType && status === 'error') parts.push(`Error Type: ${errorType}`);
  return { requestId, durationMs, billedDurationMs, memorySizeMb: fn.memoryMb, maxMemoryUsedMb, initDurationMs, init, status, errorType, line: parts.join('\t') };
}
