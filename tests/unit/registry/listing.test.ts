import { describe, expect, it } from 'vitest';
import { listPage, parseArtifactQueries, planSources } from '../../../src/registry/listing';
import type { ArtifactStore } from '../../../src/registry/store';

describe('artifact queries', () => {
  it('validates the spec\'s array of ArtifactQuery', () => {
    expect(parseArtifactQueries([{ name: '*' }, { name: 'bert', types: ['model'] }])).toEqual([{ name: '*' }, { name: 'bert', types: ['model'] }]);
    expect(() => parseArtifactQueries({ name: '*' })).toThrow('JSON array');
    expect(() => parseArtifactQueries([])).toThrow('at least one');
    expect(() => parseArtifactQueries([{ types: ['model'] }])).toThrow('query 0: name');
    expect(() => parseArtifactQueries([{ name: 'x', types: ['weights'] }])).toThrow('query 0: types[0]');
    expect(() => parseArtifactQueries([{ name: 'x', types: 'model' }])).toThrow('types must be an array');
  });

  it('plans index queries without overlaps', () => {
    expect(planSources([{ name: '*' }])).toEqual([
      { index: 'byType', pk: 'model' },
      { index: 'byType', pk: 'dataset' },
      { index: 'byType', pk: 'code' },
    ]);
    expect(planSources([{ name: '*', types: ['dataset'] }, { name: 'Bert', types: ['model', 'dataset'] }, { name: 'bert', types: ['model'] }])).toEqual([
      { index: 'byType', pk: 'dataset' },
      { index: 'byName', pk: 'bert', skPrefix: 'model#' },
    ]);
  });

  it('pages across sources with an opaque offset, and refuses a forged one', async () => {
    const data: Record<string, string[]> = { model: ['m1', 'm2', 'm3'], dataset: [], code: ['c1'] };
    const store = {
      async queryIndex(_index: string, pk: string, o: { limit?: number; startKey?: { i: string } }) {
        const start = o.startKey ? Number(o.startKey.i) : 0;
        const all = data[pk];
        const end = Math.min(all.length, start + (o.limit ?? 100));
        return { items: all.slice(start, end).map((id) => ({ id, name: id, type: pk })), lastKey: end < all.length ? { i: String(end) } : undefined };
      },
    } as unknown as ArtifactStore;
    const sources = planSources([{ name: '*' }]);
    const seen: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const page = await listPage(store, sources, offset, 2);
      seen.push(...page.items.map((i) => i.id));
      offset = page.nextOffset;
      pages++;
    } while (offset);
    expect(seen).toEqual(['m1', 'm2', 'm3', 'c1']);
    expect(pages).toBe(2);
    await expect(listPage(store, sources, 'not-an-offset')).rejects.toThrow('offset');
    await expect(listPage(store, sources, Buffer.from('{"s":99}').toString('base64url'))).rejects.toThrow('offset');
  });
});
