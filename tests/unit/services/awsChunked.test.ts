import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, decodedRequestHeaders, isAwsChunked } from '../../../src/local/services/s3/awsChunked';

async function decode(pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(new AwsChunkedDecoder())) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

const signed = Buffer.from(
  '5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n0;chunk-signature=cccc\r\n\r\n',
);
const withTrailer = Buffer.from('a\r\n0123456789\r\n3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');

describe('aws-chunked decoding', () => {
  it('strips signed chunk framing', async () => {
    expect((await decode([signed])).toString()).toBe('hello world');
  });

  it('strips an unsigned framing with a checksum trailer', async () => {
    expect((await decode([withTrailer])).toString()).toBe('0123456789abc');
  });

  it('decodes the same bytes however the input is split', async () => {
    const pieces = [...withTrailer].map((b) => Buffer.from([b]));
    expect((await decode(pieces)).toString()).toBe('0123456789abc');
  });

  it('fails on a body that ends before its last chunk', async () => {
    await expect(decode([withTrailer.subarray(0, 12)])).rejects.toThrow(/ended early/);
  });

  it('recognises the encoding and rewrites the headers to the decoded length', () => {
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '13', 'content-length': '61', 'x-amz-trailer': 'x-amz-checksum-crc32' };
    expect(isAwsChunked(headers)).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).toBe(false);
    expect(decodedRequestHeaders(headers)).toEqual({ 'content-length': '13', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
  });
});
