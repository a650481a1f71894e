/**
 * multipart/form-data bodies (POST /artifact/{type}) parsed with busboy: exactly one file part plus
 * text fields (name, dataset, code). Bad bodies are 400s that say what was wrong; a file past the
 * limit is a 413.
 */
import Busboy from 'busboy';
import { LarderError, ValidationError } from '../errors';

export interface MultipartFile {
  fieldName: string;
  fileName?: string;
  contentType: string;
  bytes: Buffer;
}

export interface MultipartBody {
  file: MultipartFile;
  fields: Record<string, string>;
}

export interface MultipartLimits {
  maxFileBytes: number;
  maxFields?: number;
  maxFieldBytes?: number;
}

export async function parseMultipart(body: Buffer, contentType: string, limits: MultipartLimits): Promise<MultipartBody> {
  if (!/boundary=/i.test(contentType)) throw new ValidationError('multipart/form-data body without a boundary in its Content-Type');
  let parser: Busboy.Busboy;
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      limits: { files: 2, fileSize: limits.maxFileBytes, fields: limits.maxFields ?? 20, fieldSize: limits.maxFieldBytes ?? 64 * 1024, parts: 40 },
    });
  } catch (err) {
    throw new ValidationError(`multipart/form-data: ${(err as Error).message}`);
  }
  return new Promise<MultipartBody>((resolve, reject) => {
    const files: MultipartFile[] = [];
    const fields: Record<string, string> = {};
    let failure: Error | undefined;
    const fail = (err: Error) => {
      failure ??= err;
    };
    parser.on('file', (fieldName, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new LarderError('TOO_LARGE', `file part "${fieldName}" is larger than the ${limits.maxFileBytes}-byte upload limit`, { statusCode: 413 })));
      stream.on('close', () =>
        files.push({ fieldName, fileName: info.filename || undefined, contentType: info.mimeType || 'application/octet-stream', bytes: Buffer.concat(chunks) }),
      );
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ValidationError(`field "${name}" is too long`));
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new ValidationError('multipart body has more than one file part; send exactly one')));
    parser.on('fieldsLimit', () => fail(new ValidationError('multipart body has too many fields')));
    parser.on('partsLimit', () => fail(new ValidationError('multipart body has too many parts')));
    parser.on('error', (err: Error) => reject(failure ?? new ValidationError(`malformed multipart/form-data body: ${err.message}`)));
    parser.on('close', () => {
      if (failure) return reject(failure);
      if (files.length === 0) return reject(new ValidationError('multipart body has no file part; send the artifact as a file part (and its name in a "name" field)'));
      if (files.length > 1) return reject(new ValidationError('multipart body has more than one file part; send exactly one'));
      resolve({ file: files[0], fields });
    });
    parser.end(body);
  });
}
