/**
 * Names, ids, types and source URLs as the API receives them: validated (a clear 400 naming what
 * was wrong) and normalised, so they are safe as DynamoDB keys and S3 key segments — no path
 * traversal, no control characters, bounded length.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ValidationError } from '../errors';
import { ARTIFACT_TYPES, type ArtifactType, type Dependencies } from './types';

/** UTF-8 bytes; keeps `{prefix}/{type}/{encoded name}/{id}{ext}` well under S3's 1,024-byte key limit. */
export const MAX_NAME_BYTES = 255;
export const MAX_ID_CHARS = 64;
export const MAX_URL_CHARS = 2048;

const ID_PATTERN = /^[a-zA-Z0-9-]+$/;
// Control (Cc), format (Cf: zero-width, bidi overrides), unassigned, private-use and surrogates.
const FORBIDDEN_CHARS = /[\p{C}]/u;

/**
 * Checks an artifact name and returns it trimmed and in NFKC. NFKC comes *before* the checks:
 * compatibility forms (full-width "．．", "／", ligatures) fold to the characters they stand for, so
 * a name cannot look harmless to the validator and become "..", "/" or another name later.
 */
export function validateArtifactName(raw: unknown, field = 'name'): string {
  if (typeof raw !== 'string') throw new ValidationError(`${field}: expected a string, found ${describe(raw)}`);
  const name = raw.normalize('NFKC').trim();
  if (!name) throw new ValidationError(`${field}: must not be empty`);
  if (name === '*') throw new ValidationError(`${field}: "*" is reserved (it means "all" in POST /artifacts)`);
  if (FORBIDDEN_CHARS.test(name)) throw new ValidationError(`${field}: must not contain control or invisible characters`);
  if (/[/\\]/.test(name)) throw new ValidationError(`${field}: must not contain "/" or "\\"`);
  if (name === '.' || name === '..') throw new ValidationError(`${field}: "." and ".." are not names`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) throw new ValidationError(`${field}: at most ${MAX_NAME_BYTES} bytes of UTF-8, found ${bytes}`);
  return name;
}

/**
 * The form names are matched and keyed by: NFKC, lower case, runs of whitespace as one "-".
 * "BERT Base" and "bert-base" are the same name; the record keeps the name as given.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '-');
}

/** A normalised name as one S3 key segment (percent-encoded; "/" can never appear). */
export function nameKeySegment(nameNorm: string): string {
  return encodeURIComponent(nameNorm);
}

export function parseArtifactType(raw: unknown, field = 'artifact_type'): ArtifactType {
  if (typeof raw === 'string' && (ARTIFACT_TYPES as readonly string[]).includes(raw)) return raw as ArtifactType;
  throw new ValidationError(`${field}: expected one of ${ARTIFACT_TYPES.join(', ')}, found ${describe(raw)}`);
}

export function validateArtifactId(raw: unknown, field = 'id'): string {
  if (typeof raw !== 'string' || !raw) throw new ValidationError(`${field}: expected a non-empty string, found ${describe(raw)}`);
  if (raw.length > MAX_ID_CHARS || !ID_PATTERN.test(raw)) {
    throw new ValidationError(`${field}: expected letters, digits and "-" (at most ${MAX_ID_CHARS}), found "${truncate(raw)}"`);
  }
  return raw;
}

export function newArtifactId(): string {
  return randomUUID();
}

export interface SourceUrl {
  /** As given (trimmed). */
  url: string;
  /** Canonical form used for uniqueness: lower-case host, no default port, fragment, trailing "/" or ".git". */
  canonical: string;
  /** Fixed-length digest of `canonical`, for the DynamoDB key of the URL marker. */
  digest: string;
}

/** Accepts http(s):// and s3:// sources; anything else is a 400 that says what is accepted. */
export function parseSourceUrl(raw: unknown, field = 'url'): SourceUrl {
  if (typeof raw !== 'string' || !raw.trim()) throw new ValidationError(`${field}: expected a URL string, found ${describe(raw)}`);
  const url = raw.trim();
  if (url.length > MAX_URL_CHARS) throw new ValidationError(`${field}: at most ${MAX_URL_CHARS} characters`);
  if (FORBIDDEN_CHARS.test(url) || /\s/.test(url)) throw new ValidationError(`${field}: must not contain whitespace or control characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`${field}: "${truncate(url)}" is not an absolute URL`);
  }
  if (!['http:', 'https:', 's3:'].includes(parsed.protocol)) {
    throw new ValidationError(`${field}: expected an http://, https:// or s3:// URL, found "${parsed.protocol}"`);
  }
  if (parsed.username || parsed.password) throw new ValidationError(`${field}: must not carry credentials`);
  if (!parsed.hostname) throw new ValidationError(`${field}: has no host (or bucket)`);
  if (parsed.protocol === 's3:' && parsed.pathname.replace(/^\/+/, '') === '') throw new ValidationError(`${field}: an s3:// URL needs a key`);
  parsed.hash = '';
  let path = parsed.pathname.replace(/\/+$/, '').replace(/\.git$/i, '');
  if (!path) path = '/';
  const canonical = `${parsed.protocol}//${parsed.host.toLowerCase()}${path}${parsed.search}`;
  return { url, canonical, digest: createHash('sha256').update(canonical).digest('hex') };
}

/**
 * A name for an ingest that gave none, from its URL: the repository of a Hugging Face or GitHub
 * URL (`…/google-bert/bert-base-uncased` → `bert-base-uncased`, `…/lerobot/tree/main` → `lerobot`),
 * else the last path segment without its archive extension.
 */
export function deriveNameFromUrl(source: SourceUrl): string {
  const u = new URL(source.url);
  let segments = u.pathname.split('/').filter(Boolean).map(safeDecode);
  const tree = segments.findIndex((s) => s === 'tree' || s === 'blob' || s === 'resolve');
  if (tree > 0) segments = segments.slice(0, tree);
  let last = segments.at(-1) ?? u.hostname;
  last = last.replace(/\.git$/i, '').replace(/\.(tar\.gz|tgz|tar|zip|gz|bin)$/i, '');
  return validateArtifactName(last || u.hostname, 'url (no name was given, and none could be derived from the URL)');
}

/** The blob's extension, from the file name when it has a usual one, else from the content type. */
export function blobExtension(fileName: string | undefined, contentType: string | undefined): string {
  const lower = (fileName ?? '').toLowerCase();
  const compound = lower.match(/\.(tar\.gz|tar\.bz2|tar\.xz)$/);
  if (compound) return `.${compound[1]}`;
  const simple = lower.match(/\.([a-z0-9]{1,12})$/);
  if (simple) return `.${simple[1]}`;
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return CONTENT_TYPE_EXTENSIONS[ct] ?? '.bin';
}

const CONTENT_TYPE_EXTENSIONS: Record<string, string> = {
  'application/zip': '.zip',
  'application/gzip': '.gz',
  'application/x-gzip': '.gz',
  'application/x-tar': '.tar',
  'application/json': '.json',
  'text/plain': '.txt',
  'text/markdown': '.md',
};

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v ? `"${truncate(v)}"` : 'an empty string';
  return typeof v;
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** What every way of registering an artifact validates first: its type, its name and (models only) what it depends on. */
export function parseNewArtifact(input: { type: unknown; name?: unknown; dataset?: unknown; code?: unknown }): { type: ArtifactType; name: string; dependsOn: Dependencies } {
  const type = parseArtifactType(input.type);
  return { type, name: validateArtifactName(input.name), dependsOn: parseDependencies(type, input) };
}

export function parseDependencies(type: ArtifactType, input: { dataset?: unknown; code?: unknown }): Dependencies {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (type !== 'model') {
    if (given(input.dataset) || given(input.code)) throw new ValidationError('only a model can name a dataset or code it depends on');
    return {};
  }
  return {
    ...(given(input.dataset) ? { dataset: normaliseName(validateArtifactName(input.dataset, 'dataset')) } : {}),
    ...(given(input.code) ? { code: normaliseName(validateArtifactName(input.code, 'code')) } : {}),
  };
}
