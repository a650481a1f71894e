/**
 * Encodes AWS event-stream messages (application/vnd.amazon.eventstream), the framing of
 * ConverseStream responses:
 *
 *   [total length u32][headers length u32][prelude CRC32 u32][headers][payload][message CRC32 u32]
 *
 * Each header is [name length u8][name][type u8 = 7 (string)][value length u16][value]. Every event
 * carries `:message-type: event`, `:event-type: <name>` and `:content-type: application/json`.
 */
import { crc32 } from 'node:zlib';

const STRING_HEADER_TYPE = 7;

/** One event-stream message whose payload is `payload` as JSON. */
export function encodeEvent(eventType: string, payload: unknown): Buffer {
  const headers = encodeHeaders({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' });
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const total = 12 + headers.length + body.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headers.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headers.copy(message, 12);
  body.copy(message, 12 + headers.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const part = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    let offset = part.writeUInt8(nameBytes.length, 0);
    offset += nameBytes.copy(part, offset);
    offset = part.writeUInt8(STRING_HEADER_TYPE, offset);
    offset = part.writeUInt16BE(valueBytes.length, offset);
    valueBytes.copy(part, offset);
    parts.push(part);
  }
  return Buffer.concat(parts);
}
