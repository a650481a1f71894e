/**
 * The `awslambda` global Lambda's Node runtime defines before it loads a handler:
 * `awslambda.streamifyResponse(handler, options)` marks a handler as response-streaming, and
 * `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` writes the HTTP metadata
 * prelude (JSON, then 8 NUL bytes) that Function URLs turn into the status line and headers — the
 * same content type and framing as the runtime interface client's HttpResponseStream.js.
 *
 * The response stream handed to a streaming handler is a Writable whose chunks go to the supervisor
 * over IPC as they are written, so a client of InvokeWithResponseStream or of a streamed Function URL
 * sees them before the handler returns.
 */
import { Writable } from 'node:stream';

export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
export const STREAM_RESPONSE = 'response';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

export function installAwsLambdaGlobal() {
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

export function isStreamingHandler(handler) {
  return handler?.[HANDLER_STREAMING] === STREAM_RESPONSE;
}

/**
 * A response stream for one invocation. `onStart(contentType)` is sent before the first chunk (the
 * content type cannot change after that, as in Lambda); `onChunk(buffer)` for each write.
 */
export function createResponseStream({ onStart, onChunk, highWaterMark }) {
  let started = false;
  let contentType = 'application/octet-stream';
  const start = () => {
    if (started) return;
    started = true;
    onStart(contentType);
  };
  const stream = new Writable({
    highWaterMark,
    write(chunk, _encoding, callback) {
      start();
      onChunk(Buffer.from(chunk));
      callback();
    },
    final(callback) {
      start();
      callback();
    },
  });
  let beforeFirstWriteDone = false;
  const origWrite = stream.write.bind(stream);
  stream.write = function (chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) chunk = JSON.stringify(chunk);
    if (!beforeFirstWriteDone) {
      beforeFirstWriteDone = true;
      if (typeof stream._onBeforeFirstWrite === 'function') stream._onBeforeFirstWrite((c) => origWrite(c));
    }
    return origWrite(chunk, encoding, callback);
  };
  stream.setContentType = (type) => {
    if (started || beforeFirstWriteDone) {
      const err = new Error('Cannot set content-type, too late.');
      err.name = 'Runtime.InvalidStreamingOperation';
      throw err;
    }
    contentType = type;
  };
  return stream;
}
