/**
 * Looks inside an artifact's bytes for the text the rater reads (README, LICENSE, model card,
 * config, CITATION, …): tar, tar.gz, zip, gzip of a single file, or plain text. Bounded: only
 * small text entries are inflated, and gzip output is capped, so an archive bomb costs nothing.
 */
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

export const MAX_TEXT_ENTRY_BYTES = 256 * 1024;
export const MAX_GUNZIP_BYTES = 256 * 1024 * 1024;
export const MAX_LISTED_ENTRIES = 10_000;

export interface ArchiveSummary {
  kind: 'tar' | 'zip' | 'text' | 'binary';
  /** Every entry path (capped at MAX_LISTED_ENTRIES). */
  paths: string[];
  /** Interesting small text entries by path; plain text artifacts appear as "README". */
  texts: Map<string, string>;
}

/** Entry names whose text the rater wants (case-insensitive, any directory). */
export function isInterestingEntry(path: string): boolean {
  const base = path.split('/').pop()!.toLowerCase();
  return /^(readme|license|licence|copying|notice|citation|authors|contributors|codeowners|model_card|modelcard)(\.[a-z0-9]+)?$/.test(base) ||
    base === 'config.json' || base === 'requirements.txt' || base === 'pyproject.toml' || base === 'package.json' || base === 'setup.py';
}

export function summariseArchive(bytes: Uint8Array): ArchiveSummary {
  let data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data, { maxOutputLength: MAX_GUNZIP_BYTES });
    } catch {
      return { kind: 'binary', paths: [], texts: new Map() };
    }
  }
  if (isTar(data)) return readTar(data);
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) return readZip(data);
  if (looksLikeText(data)) return { kind: 'text', paths: ['README'], texts: new Map([['README', data.subarray(0, MAX_TEXT_ENTRY_BYTES).toString('utf8')]]) };
  return { kind: 'binary', paths: [], texts: new Map() };
}

function isTar(data: Buffer): boolean {
  return data.length >= 512 && data.subarray(257, 262).toString('latin1') === 'ustar';
}

function readTar(data: Buffer): ArchiveSummary {
  const paths: string[] = [];
  const texts = new Map<string, string>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = cString(header, 0, 100);
    const prefix = cString(header, 345, 155);
    const size = parseInt(cString(header, 124, 12).trim() || '0', 8) || 0;
    const typeFlag = String.fromCharCode(header[156] || 48);
    const bodyStart = offset + 512;
    const body = data.subarray(bodyStart, Math.min(data.length, bodyStart + size));
    if (typeFlag === 'L') {
      longName = cString(body, 0, body.length);
    } else if (typeFlag === '0' || typeFlag === '\0' || typeFlag === '7') {
      const path = stripDotSlash(longName ?? (prefix ? `${prefix}/${name}` : name));
      longName = undefined;
      if (paths.length < MAX_LISTED_ENTRIES) paths.push(path);
      if (isInterestingEntry(path) && size <= MAX_TEXT_ENTRY_BYTES && !texts.has(path)) texts.set(path, body.toString('utf8'));
    } else {
      longName = undefined;
    }
    offset = bodyStart + Math.ceil(size / 512) * 512;
  }
  return { kind: 'tar', paths, texts };
}

function readZip(data: Buffer): ArchiveSummary {
  const paths: string[] = [];
  const texts = new Map<string, string>();
  try {
    const files = unzipSync(data, {
      filter: (file) => {
        if (paths.length < MAX_LISTED_ENTRIES) paths.push(stripDotSlash(file.name));
        return isInterestingEntry(file.name) && file.originalSize <= MAX_TEXT_ENTRY_BYTES;
      },
    });
    for (const [name, content] of Object.entries(files)) {
      // originalSize is what the archive claims; check what inflation actually produced too.
      if (content.length <= MAX_TEXT_ENTRY_BYTES) texts.set(stripDotSlash(name), Buffer.from(content).toString('utf8'));
    }
  } catch {
    return { kind: 'binary', paths, texts };
  }
  return { kind: 'zip', paths, texts };
}

function looksLikeText(data: Buffer): boolean {
  const head = data.subarray(0, 8192);
  if (head.length === 0) return false;
  if (head.includes(0)) return false;
  let odd = 0;
  for (const b of head) if (b < 9 || (b > 13 && b < 32)) odd++;
  return odd / head.length < 0.01;
}

function cString(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? slice.length : end).toString('utf8');
}

function stripDotSlash(p: string): string {
  return p.replace(/^\.\//, '');
}
