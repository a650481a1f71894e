/**
 * AWS's binary event-stream framing (application/vnd.amazon.eventstream), which Lambda's
 * InvokeWithResponseStream answers with: each message is
 *   [total length u32][headers length u32][prelude CRC32] [headers] [payload] [message CRC32],
 * every header `[name length u8][name][type u8 = 7 (string)][value length u16][value]`. Only what the
 * Invoke API sends is written: string headers, event messages.
 */
import { crc32 } from 'node:zlib';

export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    headerParts.push(h);
  }
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, 12);
  payload.copy(out, 12 + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** An event of the Invoke API's stream: `PayloadChunk` (raw bytes) or `InvokeComplete` (JSON). */
export function invokeStreamEvent(eventType: 'PayloadChunk' | 'InvokeComplete', payload: Buffer): Buffer {
  return encodeEventMessage(
    { ':event-type': eventType, ':message-type': 'event', ':content-type': eventType === 'PayloadChunk' ? 'application/octet-stream' : 'application/json' },
    payload,
  );
}
