/**
 * ConverseStream's events in AWS's event-stream framing (application/vnd.amazon.eventstream; the
 * framing itself is src/local/eventStream.ts, shared with Lambda's InvokeWithResponseStream). Every
 * event carries `:message-type: event`, `:event-type: <name>` and `:content-type: application/json`.
 */
import { encodeEventMessage } from '../../eventStream';

/** One event-stream message whose payload is `payload` as JSON. */
export function encodeEvent(eventType: string, payload: unknown): Buffer {
  return encodeEventMessage(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(payload), 'utf8'),
  );
}
