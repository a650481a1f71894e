/**
 * The S3 behaviours Larder relies on, against s3rver through the fault proxy, with the real SDK
 * client built by createS3Client (path style, WHEN_REQUIRED checksums, S3RVER credentials).
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, LOCAL_CREDENTIALS } from '../../../src/aws';
import { ensureBucket, servicesInfo, testConfig, uniqueName } from '../../setup/services';

let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = createS3Client(testConfig());
  bucket = uniqueName('s3-behaviour');
  await ensureBucket(s3, bucket);
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

describe('local S3 (s3rver through the fault proxy)', () => {
  it('round-trips an object: PutObject ETag = HeadObject ETag = quoted MD5, GetObject returns the bytes', async () => {
    const body = Buffer.from('Larder keeps its data close at hand.\n'.repeat(100));
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/round-trip.txt', Body: body, ContentType: 'text/plain' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/round-trip.txt' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/round-trip.txt' }));

    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(head.ETag).toBe(put.ETag);
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe('text/plain');
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('answers a bytes=a-b range with 206, Content-Range and exactly those bytes', async () => {
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranges/bytes.bin', Body: body }));

    const part = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranges/bytes.bin', Range: 'bytes=1000-1999' }));
    const bytes = Buffer.from(await part.Body!.transformToByteArray());

    expect(part.$metadata.httpStatusCode).toBe(206);
    expect(part.ContentRange).toBe('bytes 1000-1999/4096');
    expect(bytes.equals(body.subarray(1000, 2000))).toBe(true);
  });

  it('answers a suffix range bytes=-N with the last N bytes (the proxy fixes s3rver, which reads it as 0-N)', async () => {
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranges/footer.bin', Body: body }));

    const footer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranges/footer.bin', Range: 'bytes=-8' }));
    const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranges/footer.bin', Range: 'bytes=4000-' }));

    expect(footer.$metadata.httpStatusCode).toBe(206);
    expect(footer.ContentRange).toBe('bytes 4088-4095/4096');
    expect(Buffer.from(await footer.Body!.transformToByteArray()).equals(body.subarray(4088))).toBe(true);
    expect(Buffer.from(await tail.Body!.transformToByteArray()).equals(body.subarray(4000))).toBe(true);
  });

  it('lists with ListObjectsV2 page by page (page 2 needs --openssl-legacy-provider in s3rver)', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `list/item-${i}.txt`);
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', MaxKeys: 3, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);

    expect(pages).toBe(3);
    expect(seen).toEqual([...keys].sort());
  });

  it('deletes one object with DeleteObject and several with DeleteObjects', async () => {
    const keys = ['del/a', 'del/b', 'del/c'];
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }))));

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'del/a' }));
    const many = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'del/b' }, { Key: 'del/c' }] } }));
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'del/' }));

    expect(many.Deleted?.map((d) => d.Key).sort()).toEqual(['del/b', 'del/c']);
    expect(left.KeyCount ?? 0).toBe(0);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'del/a' }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('stores a stream body sent by a client with default checksums (aws-chunked) without the framing', async () => {
    const plain = new S3Client({ endpoint: servicesInfo().endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    const body = Buffer.from('a stream body, checksummed by the SDK\n'.repeat(5000));

    await plain.send(new PutObjectCommand({ Bucket: bucket, Key: 'chunked/stream.txt', Body: Readable.from([body]), ContentLength: body.length }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'chunked/stream.txt' }));

    expect(got.ContentLength).toBe(body.length);
    expect(got.ContentEncoding).toBeUndefined();
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('stores a 20 MB body uploaded in parts by @aws-sdk/lib-storage intact', async () => {
    const body = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);

    const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: 'multipart/20mb.bin', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    await upload.done();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'multipart/20mb.bin' }));
    const tail = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multipart/20mb.bin', Range: `bytes=${body.length - 16}-${body.length - 1}` }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multipart/20mb.bin' }));

    expect(head.ContentLength).toBe(body.length);
    expect(Buffer.from(await tail.Body!.transformToByteArray()).equals(body.subarray(body.length - 16))).toBe(true);
    expect(md5(await got.Body!.transformToByteArray())).toBe(md5(body));
  });
});
