/**
 * POST /artifacts: an array of ArtifactQuery `{name, types?}` ("*" for every name) answered from
 * the GSIs, a page at a time. The `offset` is an opaque cursor (which query source, and where in
 * it); the page is filled across sources, and the limit is applied by DynamoDB *to the key
 * condition*, never before a filter, so a page is never silently cut short.
 */
import { ValidationError } from '../errors';
import { normaliseName, parseArtifactType, validateArtifactName } from './names';
import { metadataFromItem } from './records';
import type { ArtifactStore } from './store';
import { ARTIFACT_TYPES, type ArtifactMetadata, type ArtifactQuery, type ArtifactType } from './types';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_QUERIES = 100;

export type ListSource = { index: 'byType'; pk: ArtifactType } | { index: 'byName'; pk: string; skPrefix: string };

export interface ListPage {
  items: ArtifactMetadata[];
  /** Pass back as `offset` for the next page; absent on the last page. */
  nextOffset?: string;
}

/** Validates the request body (the spec's array of ArtifactQuery). */
export function parseArtifactQueries(body: unknown): ArtifactQuery[] {
  if (!Array.isArray(body)) throw new ValidationError('request body must be a JSON array of artifact queries ({"name": ..., "types": [...]})');
  if (body.length === 0) throw new ValidationError('request body must hold at least one artifact query');
  if (body.length > MAX_QUERIES) throw new ValidationError(`at most ${MAX_QUERIES} artifact queries per request, found ${body.length}`);
  return body.map((q, i) => {
    if (typeof q !== 'object' || q === null || Array.isArray(q)) throw new ValidationError(`query ${i}: expected an object with "name"`);
    const { name, types } = q as Record<string, unknown>;
    const checkedName = name === '*' ? '*' : validateArtifactName(name, `query ${i}: name`);
    if (types !== undefined && types !== null && !Array.isArray(types)) throw new ValidationError(`query ${i}: types must be an array`);
    const checkedTypes = Array.isArray(types) ? types.map((t, j) => parseArtifactType(t, `query ${i}: types[${j}]`)) : undefined;
    return { name: checkedName, ...(checkedTypes ? { types: checkedTypes } : {}) };
  });
}

/** The index queries that answer `queries`, without overlaps (a "*" for a type covers names of that type). */
export function planSources(queries: ArtifactQuery[]): ListSource[] {
  const everything = new Set<ArtifactType>();
  for (const q of queries) if (q.name === '*') for (const t of q.types?.length ? q.types : ARTIFACT_TYPES) everything.add(t);
  const sources: ListSource[] = ARTIFACT_TYPES.filter((t) => everything.has(t)).map((t) => ({ index: 'byType' as const, pk: t }));
  const seen = new Set<string>();
  for (const q of queries) {
    if (q.name === '*') continue;
    const nameNorm = normaliseName(q.name);
    for (const t of q.types?.length ? q.types : ARTIFACT_TYPES) {
      const id = `${t}#${nameNorm}`;
      if (everything.has(t) || seen.has(id)) continue;
      seen.add(id);
      sources.push({ index: 'byName', pk: nameNorm, skPrefix: `${t}#` });
    }
  }
  return sources;
}

/** The most items a numeric offset may skip (each skipped item is read). */
export const MAX_NUMERIC_OFFSET = 10_000;

export async function listPage(store: ArtifactStore, sources: ListSource[], offset: string | undefined, pageSize = DEFAULT_PAGE_SIZE): Promise<ListPage> {
  if (offset !== undefined && /^\d+$/.test(offset) && offset !== '0') return numericPage(store, sources, Number(offset), pageSize);
  let { source, startKey } = decodeOffset(offset, sources.length);
  const items: ArtifactMetadata[] = [];
  while (source < sources.length && items.length < pageSize) {
    const s = sources[source];
    const page = await store.queryIndex(s.index, s.pk, { skPrefix: s.index === 'byName' ? s.skPrefix : undefined, limit: pageSize - items.length, startKey });
    items.push(...page.items.map(metadataFromItem));
    if (page.lastKey) startKey = page.lastKey;
    else {
      source++;
      startKey = undefined;
    }
  }
  const more = source < sources.length;
  return { items, ...(more ? { nextOffset: encodeOffset(source, startKey) } : {}) };
}

/**
 * The spec's example pagination (`offset: "3"`): a count of items to skip. Answered by reading
 * through the skipped items (bounded by MAX_NUMERIC_OFFSET); the next offset is numeric too.
 */
async function numericPage(store: ArtifactStore, sources: ListSource[], skip: number, pageSize: number): Promise<ListPage> {
  if (skip > MAX_NUMERIC_OFFSET) throw new ValidationError(`offset: a numeric offset is at most ${MAX_NUMERIC_OFFSET}; page on with the offset header this API returns`);
  const wanted = skip + pageSize;
  const seen: ArtifactMetadata[] = [];
  let cursor: string | undefined;
  let more = true;
  while (seen.length < wanted + 1 && more) {
    const page = await listPage(store, sources, cursor, Math.min(DEFAULT_PAGE_SIZE, wanted + 1 - seen.length));
    seen.push(...page.items);
    cursor = page.nextOffset;
    more = cursor !== undefined;
  }
  const items = seen.slice(skip, skip + pageSize);
  return { items, ...(seen.length > skip + pageSize ? { nextOffset: String(skip + pageSize) } : {}) };
}

function encodeOffset(source: number, startKey: Record<string, unknown> | undefined): string {
  return Buffer.from(JSON.stringify(startKey ? { s: source, k: startKey } : { s: source })).toString('base64url');
}

function decodeOffset(offset: string | undefined, sourceCount: number): { source: number; startKey?: Record<string, unknown> } {
  if (offset === undefined || offset === '' || offset === '0') return { source: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8')) as { s?: unknown; k?: unknown };
    if (typeof parsed.s === 'number' && Number.isInteger(parsed.s) && parsed.s >= 0 && parsed.s <= sourceCount) {
      const k = parsed.k;
      if (k === undefined || (typeof k === 'object' && k !== null && Object.values(k).every((v) => typeof v === 'string'))) {
        return { source: parsed.s, startKey: k as Record<string, unknown> | undefined };
      }
    }
  } catch {
    // fall through
  }
  throw new ValidationError('offset: not a value this API returned in an "offset" header (send the same queries with it)');
}
