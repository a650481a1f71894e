/**
 * Where a settled Event invocation goes, as Lambda sends it: the on-success / on-failure destination
 * record (`requestContext`, `requestPayload`, `responseContext`, `responsePayload`), or the bare event
 * with RequestID / ErrorCode / ErrorMessage attributes for a DeadLetterQueue.
 *
 * Locally a Lambda destination is invoked (asynchronously, through the same queue); an SQS queue,
 * SNS topic, EventBridge bus or S3 bucket is a JSON-lines file, `<dir>/destinations/<Type>-<name>.jsonl`,
 * which `larder events` reads. A failure with no destination at all is appended to
 * `failed-events.jsonl` and logged: Lambda would discard it; we keep it so nothing vanishes silently.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { AsyncOutcome } from './asyncEventQueue';
import type { AsyncInvokeConfig, DestinationRef } from './asyncInvokeConfig';

export interface DestinationContext {
  region: string;
  accountId: string;
  functionName: string;
  config: AsyncInvokeConfig;
  /** Folder of the destination files; undefined → destinations are only logged. */
  destinationsDir?: string;
  failedEventsFile?: string;
  /** Queues an Event invocation of a destination function; false when no such function exists. */
  invokeFunction: (name: string, payload: unknown) => boolean;
  log: (line: string) => void;
}

/** Lambda's destination record. */
export function destinationRecord(outcome: AsyncOutcome, ctx: DestinationContext): Record<string, unknown> {
  const { record } = outcome;
  const failed = outcome.kind === 'failure';
  const invokeCount = record.attempts + (failed ? 0 : 1);
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: record.id,
      functionArn: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${ctx.functionName}:$LATEST`,
      condition: failed ? outcome.condition : 'Success',
      approximateInvokeCount: Math.max(1, invokeCount),
    },
    requestPayload: record.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(failed ? { functionError: 'Unhandled' } : {}) },
    responsePayload: failed ? outcome.error : safeParse(outcome.result.payload),
  };
}

/** Sends the outcome where the function's config says; returns where it went (for logs and tests). */
export function deliverOutcome(outcome: AsyncOutcome, ctx: DestinationContext): string[] {
  const delivered: string[] = [];
  const { config } = ctx;
  if (outcome.kind === 'success') {
    if (config.onSuccess) delivered.push(send(config.onSuccess, destinationRecord(outcome, ctx), ctx));
    return delivered;
  }
  if (config.onFailure) delivered.push(send(config.onFailure, destinationRecord(outcome, ctx), ctx));
  if (config.deadLetterQueue) {
    delivered.push(send(config.deadLetterQueue, {
      messageId: randomUUID(),
      body: JSON.stringify(outcome.record.event),
      messageAttributes: {
        RequestID: { stringValue: outcome.record.id, dataType: 'String' },
        ErrorCode: { stringValue: '200', dataType: 'Number' },
        ErrorMessage: { stringValue: outcome.error.errorMessage.slice(0, 1000), dataType: 'String' },
      },
    }, ctx));
  }
  if (!delivered.length && ctx.failedEventsFile) {
    appendLine(ctx.failedEventsFile, { time: new Date().toISOString(), function: outcome.record.functionId, requestId: outcome.record.id, condition: outcome.condition, attempts: outcome.record.attempts, error: outcome.error, event: outcome.record.event });
    delivered.push(ctx.failedEventsFile);
  }
  ctx.log(JSON.stringify({ level: 'ERROR', message: 'asynchronous invocation failed after retries', function: outcome.record.functionId, eventRequestId: outcome.record.id, condition: outcome.condition, attempts: outcome.record.attempts, ...outcome.error, deliveredTo: delivered }));
  return delivered;
}

/** The file a queue/topic/bus/bucket destination is written to. */
export function destinationFile(dir: string, dest: Pick<DestinationRef, 'type' | 'name'>): string {
  return join(dir, `${dest.type}-${dest.name.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
}

function send(dest: DestinationRef, body: Record<string, unknown>, ctx: DestinationContext): string {
  if (dest.type === 'Lambda' && ctx.invokeFunction(dest.name, body)) return `Lambda:${dest.name}`;
  if (!ctx.destinationsDir) {
    ctx.log(JSON.stringify({ level: 'WARN', message: 'destination record (no destinations folder configured)', destination: `${dest.type}:${dest.name}`, record: body }));
    return `log:${dest.type}:${dest.name}`;
  }
  const file = destinationFile(ctx.destinationsDir, dest);
  appendLine(file, { receivedAt: new Date().toISOString(), destination: { type: dest.type, name: dest.name, arn: dest.arn }, body });
  return file;
}

function appendLine(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(value) + '\n');
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
