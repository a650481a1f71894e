/**
 * How the artifact handler starts an ingest without waiting for it. In Lambda (and under the local
 * emulator's start-lambda): an asynchronous Invoke (`InvocationType: 'Event'`) of the worker named
 * by INGEST_FUNCTION_NAME. Tests inject a direct call; a plain process without a worker function
 * runs the ingest in the background of the same process.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { LarderError } from '../errors';
import { log } from '../log';

export type IngestInvoker = (artifactId: string) => Promise<void>;

/** The event the ingest worker receives. */
export interface IngestEvent {
  artifact_id: string;
}

export function lambdaIngestInvoker(lambda: LambdaClient, functionName: string): IngestInvoker {
  return async (artifactId) => {
    const payload: IngestEvent = { artifact_id: artifactId };
    let status: number | undefined;
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }));
      status = out.StatusCode;
    } catch (err) {
      throw new LarderError('UPSTREAM', `could not start the ingest worker "${functionName}" (${(err as Error).name})`, { cause: err, statusCode: 500 });
    }
    if (status !== 202) throw new LarderError('UPSTREAM', `the ingest worker "${functionName}" did not accept the event (status ${status})`, { statusCode: 500 });
  };
}

/** Runs the ingest in this process without waiting for it (outside Lambda only: a frozen sandbox would stall it). */
export function backgroundIngestInvoker(run: (artifactId: string) => Promise<unknown>): IngestInvoker {
  return async (artifactId) => {
    setImmediate(() => {
      run(artifactId).catch((err) => log.error('background ingest failed', { artifactId, error: (err as Error).message }));
    });
  };
}
