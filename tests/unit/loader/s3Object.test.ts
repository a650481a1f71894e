/**
 * The download without a HeadObject first: the first ranged GET tells the object's size and ETag,
 * the other parts follow with If-Match. Edge cases S3 answers in ways the local s3rver does not
 * (an empty object: 416 InvalidRange; s3rver resets the connection), so a stub that answers like S3.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { downloadToBuffer } from '../../../src/loader/s3Object';

const ref = { bucket: 'b', key: 'k' };

function stubS3(object: Buffer, behaviour: { ignoreRange?: boolean } = {}) {
  const calls: { op: string; range?: string; ifMatch?: string }[] = [];
  const s3 = {
    send: async (cmd: { constructor: { name: string }; input: { Range?: string; IfMatch?: string } }) => {
      const op = cmd.constructor.name.replace(/Command$/, '');
      calls.push({ op, range: cmd.input.Range, ifMatch: cmd.input.IfMatch });
      if (op === 'HeadObject') return { ETag: '"e"', ContentLength: object.length };
      if (behaviour.ignoreRange) return { ETag: '"e"', ContentLength: object.length, Body: (async function* () { yield object; })() };
      const [a, b] = cmd.input.Range!.replace('bytes=', '').split('-').map(Number);
      if (a >= object.length) throw Object.assign(new Error('The requested range is not satisfiable'), { name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
      const end = Math.min(b, object.length - 1);
      return { ETag: '"e"', ContentRange: `bytes ${a}-${end}/${object.length}`, ContentLength: end - a + 1, Body: (async function* () { yield object.subarray(a, end + 1); })() };
    },
  } as unknown as S3Client;
  return { s3, calls };
}

describe('downloadToBuffer without a HeadObject', () => {
  it('learns the size and ETag from the first part, then fetches the rest in parallel with If-Match', async () => {
    const object = Buffer.from(Array.from({ length: 5 * 1024 * 1024 + 17 }, (_, i) => i % 251));
    const { s3, calls } = stubS3(object);
    const heads: unknown[] = [];
    const got = await downloadToBuffer(s3, ref, { partBytes: 1024 * 1024, concurrency: 3, onHead: (h) => heads.push(h) });
    expect(got.bytes.equals(object)).toBe(true);
    expect(got.head).toEqual({ etag: '"e"', size: object.length });
    expect(heads).toEqual([got.head]);
    expect(calls.filter((c) => c.op === 'HeadObject')).toEqual([]);
    expect(calls[0]).toEqual({ op: 'GetObject', range: 'bytes=0-1048575', ifMatch: undefined });
    expect(calls.slice(1).map((c) => c.ifMatch)).toEqual(Array(5).fill('"e"'));
    expect(calls.map((c) => c.range).sort()).toHaveLength(6);
  });

  it('reads an object smaller than one part with one GET', async () => {
    const { s3, calls } = stubS3(Buffer.from('tiny object'));
    const got = await downloadToBuffer(s3, ref, { partBytes: 1024 * 1024, concurrency: 4 });
    expect(got.bytes.toString()).toBe('tiny object');
    expect(calls).toHaveLength(1);
  });

  it('reads an empty object (S3 answers a range over it with 416 InvalidRange): its head says 0 bytes', async () => {
    const { s3, calls } = stubS3(Buffer.alloc(0));
    const got = await downloadToBuffer(s3, ref, { partBytes: 1024 * 1024, concurrency: 4 });
    expect(got).toEqual({ bytes: Buffer.alloc(0), head: { etag: '"e"', size: 0 } });
    expect(calls.map((c) => c.op)).toEqual(['GetObject', 'HeadObject']);
  });

  it('takes the whole object from a server that ignores the range (200, no Content-Range)', async () => {
    const object = Buffer.alloc(3 * 1024 * 1024, 9);
    const { s3, calls } = stubS3(object, { ignoreRange: true });
    const got = await downloadToBuffer(s3, ref, { partBytes: 1024 * 1024, concurrency: 4 });
    expect(got.bytes.equals(object)).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
