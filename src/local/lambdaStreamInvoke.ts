/**
 * InvokeWithResponseStream (`POST /2021-11-15/functions/{name}/response-streaming-invocations`), as
 * the SDK's InvokeWithResponseStreamCommand expects it: 200 with the function's content type in
 * Content-Type, then an event stream of `PayloadChunk` events as the handler writes, and one
 * `InvokeComplete` (ErrorCode/ErrorDetails on failure, LogResult with `--log-type Tail`). A handler
 * that does not stream is answered with its whole JSON payload as one chunk, as Lambda does.
 */
import type { ServerResponse } from 'node:http';
import type { LambdaEmulator } from './emulator';
import { invokeStreamEvent } from './eventStream';

export const STREAM_INVOKE_PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/;

export async function streamInvocation(
  res: ServerResponse,
  emulator: LambdaEmulator,
  name: string,
  event: unknown,
  options: { clientContext?: unknown; logTail: boolean; traceId?: string },
): Promise<void> {
  const begin = (contentType: string) => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': contentType, 'X-Amz-Executed-Version': '$LATEST', 'Transfer-Encoding': 'chunked' });
  };
  const result = await emulator.invoke(name, event, {
    clientContext: options.clientContext,
    traceId: options.traceId,
    sink: {
      start: begin,
      chunk: (data) => {
        if (data.length) res.write(invokeStreamEvent('PayloadChunk', data));
      },
    },
  });
  begin('application/json');
  if (!result.stream && !result.functionError) res.write(invokeStreamEvent('PayloadChunk', Buffer.from(result.payload, 'utf8')));
  const complete: Record<string, string> = {};
  if (result.functionError && result.error) {
    complete.ErrorCode = result.error.errorType;
    complete.ErrorDetails = JSON.stringify(result.error);
  }
  if (options.logTail) {
    const tail = Buffer.from(result.logLines.join('\n') + '\n', 'utf8');
    complete.LogResult = tail.subarray(Math.max(0, tail.length - 4096)).toString('base64');
  }
  res.end(invokeStreamEvent('InvokeComplete', Buffer.from(JSON.stringify(complete), 'utf8')));
}
