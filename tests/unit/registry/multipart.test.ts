import { describe, expect, it } from 'vitest';
import { parseMultipart } from '../../../src/registry/multipart';
import { LarderError, ValidationError } from '../../../src/errors';
import { multipartBody } from './fixtures';

const limits = { maxFileBytes: 1024 };
const binary = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255, 254]);

describe('multipart parsing', () => {
  it('takes one file part and several fields, bytes intact', async () => {
    const body = multipartBody('XyZ', [
      { name: 'name', value: 'tiny-model' },
      { name: 'dataset', value: 'tiny-squad' },
      { name: 'file', value: binary, fileName: 'model.bin', contentType: 'application/octet-stream' },
      { name: 'code', value: 'tiny-code' },
    ]);
    const parsed = await parseMultipart(body, 'multipart/form-data; boundary=XyZ', limits);
    expect(parsed.fields).toEqual({ name: 'tiny-model', dataset: 'tiny-squad', code: 'tiny-code' });
    expect(parsed.file.bytes.equals(binary)).toBe(true);
    expect(parsed.file).toMatchObject({ fieldName: 'file', fileName: 'model.bin', contentType: 'application/octet-stream' });
  });

  it.each([
    ["----WebKitFormBoundary7MA4YWxkTrZu0gW", 'multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW'],
    ["a'()+_,-./:=?b", 'multipart/form-data; boundary="a\'()+_,-./:=?b"'],
    ['x'.repeat(70), `multipart/form-data; charset=utf-8; boundary=${'x'.repeat(70)}`],
    ['B', 'Multipart/Form-Data; BOUNDARY=B'],
  ])('handles the odd boundary %j', async (boundary, contentType) => {
    const body = multipartBody(boundary, [{ name: 'file', value: binary, fileName: 'f.bin' }, { name: 'name', value: 'n' }]);
    const parsed = await parseMultipart(body, contentType, limits);
    expect(parsed.file.bytes.equals(binary)).toBe(true);
    expect(parsed.fields.name).toBe('n');
  });

  it('keeps a body that contains the boundary text without the CRLF-- prefix', async () => {
    const tricky = Buffer.from('x--BNDnot-a-boundary\r\n-BND\r\n--BN');
    const parsed = await parseMultipart(multipartBody('BND', [{ name: 'file', value: tricky, fileName: 'x' }]), 'multipart/form-data; boundary=BND', limits);
    expect(parsed.file.bytes.equals(tricky)).toBe(true);
  });

  it('refuses a body with no file part (400, says what to send)', async () => {
    const body = multipartBody('B', [{ name: 'name', value: 'only-a-name' }]);
    await expect(parseMultipart(body, 'multipart/form-data; boundary=B', limits)).rejects.toThrow(/no file part/);
  });

  it('refuses two file parts', async () => {
    const body = multipartBody('B', [
      { name: 'file', value: 'a', fileName: 'a' },
      { name: 'file2', value: 'b', fileName: 'b' },
    ]);
    await expect(parseMultipart(body, 'multipart/form-data; boundary=B', limits)).rejects.toThrow(/more than one file part/);
  });

  it('answers 413 for a file part past the limit', async () => {
    const body = multipartBody('B', [{ name: 'file', value: Buffer.alloc(2048, 1), fileName: 'big' }]);
    const err = await parseMultipart(body, 'multipart/form-data; boundary=B', limits).catch((e) => e);
    expect(err).toBeInstanceOf(LarderError);
    expect(err.statusCode).toBe(413);
  });

  it('refuses a missing boundary, a wrong boundary and a truncated body with 400s', async () => {
    const body = multipartBody('B', [{ name: 'file', value: 'a', fileName: 'a' }]);
    await expect(parseMultipart(body, 'multipart/form-data', limits)).rejects.toBeInstanceOf(ValidationError);
    await expect(parseMultipart(body, 'multipart/form-data; boundary=OTHER', limits)).rejects.toBeInstanceOf(ValidationError);
    await expect(parseMultipart(body.subarray(0, body.length - 12), 'multipart/form-data; boundary=B', limits)).rejects.toBeInstanceOf(ValidationError);
  });
});
