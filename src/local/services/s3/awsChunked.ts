/**
 * Decodes `aws-chunked` request bodies for s3rver, which stores them as they arrive: the chunk
 * framing and checksum trailer end up inside the object (a 100,000-byte upload became 100,053 bytes
 * starting "10000\r\n"). Recent SDKs send this encoding for stream bodies unless checksums are
 * WHEN_REQUIRED, and so do other tools (aws CLI v2), so the S3 proxy decodes it on the way through.
 *
 * Wire format (SigV4 streaming, with or without a trailer):
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>: <value>\r\n]*\r\n
 * Chunk signatures and trailing checksums are not verified (s3rver verifies no SigV4 either).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';

const MAX_LINE_BYTES = 8192;

export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** The headers of the decoded request: its real length, no aws-chunked encoding, no trailer. */
export function decodedRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  const encodings = String(headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== 'aws-chunked');
  if (encodings.length) out['content-encoding'] = encodings.join(', ');
  else delete out['content-encoding'];
  const decodedLength = headers['x-amz-decoded-content-length'];
  if (typeof decodedLength === 'string' && /^\d+$/.test(decodedLength)) out['content-length'] = decodedLength;
  else delete out['content-length'];
  delete out['x-amz-decoded-content-length'];
  delete out['x-amz-trailer'];
  out['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  return out;
}

type State = 'size' | 'data' | 'dataEnd' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private state: State = 'size';
  private remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.parse();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'done' ? undefined : new Error(`aws-chunked body ended early (while reading ${this.state})`));
  }

  private parse(): void {
    while (this.pending.length > 0 && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, n));
        this.pending = this.pending.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'dataEnd';
        continue;
      }
      if (this.state === 'dataEnd') {
        if (this.pending.length < 2) return;
        if (this.pending[0] !== 13 || this.pending[1] !== 10) throw new Error('aws-chunked body: expected CRLF after a chunk');
        this.pending = this.pending.subarray(2);
        this.state = 'size';
        continue;
      }
      const line = this.takeLine();
      if (line === undefined) return;
      if (this.state === 'size') {
        const size = parseInt(line.split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`aws-chunked body: bad chunk header "${line.slice(0, 80)}"`);
        if (size === 0) this.state = 'trailer';
        else {
          this.remaining = size;
          this.state = 'data';
        }
      } else if (line === '') {
        this.state = 'done'; // trailer headers (checksums, trailer signature) are dropped
      }
    }
  }

  /** The next CRLF-terminated line (without the CRLF), or undefined when it has not fully arrived. */
  private takeLine(): string | undefined {
    const end = this.pending.indexOf('\r\n');
    if (end < 0) {
      if (this.pending.length > MAX_LINE_BYTES) throw new Error('aws-chunked body: header line too long');
      return undefined;
    }
    const line = this.pending.subarray(0, end).toString('latin1');
    this.pending = this.pending.subarray(end + 2);
    return line;
  }
}
