/**
 * One contract, both loaders: LocalCacheLoader over a fixture data dir and S3StreamingLoader over
 * the same tables seeded into a bucket on the shared local S3. Only "where the bytes come from"
 * may differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLoader } from '../../../src/loader';
import type { DataLoader } from '../../../src/loader';
import { createLoaderFixture, type LoaderFixture } from './fixtures';

let fx: LoaderFixture;

beforeAll(async () => {
  fx = await createLoaderFixture({ rows: 300 });
});
afterAll(() => fx?.cleanup());

const cases: { name: string; make: () => DataLoader; source: string }[] = [
  { name: 'LocalCacheLoader', make: () => createDataLoader(fx.withEnv({ DATA_LOADING_MODE: 'LOCAL_CACHE' }), undefined, { fresh: true }), source: 'local' },
  { name: 'S3StreamingLoader', make: () => createDataLoader(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING' }), undefined, { fresh: true, s3: fx.s3 }), source: 's3' },
];

describe.each(cases)('DataLoader contract: $name', ({ make, source }) => {
  let loader: DataLoader;
  beforeAll(() => {
    loader = make();
  });
  afterAll(() => loader.settled?.()); // its /tmp writes finish before the fixture goes away

  it('loads the sentences table columnar, with an id index and prev/next links', async () => {
    const t = await loader.sentences();
    expect(t.count).toBe(fx.rows);
    expect(t.sentenceID).toHaveLength(fx.rows);
    expect(t.cik_int).toBeInstanceOf(Int32Array);
    expect(t.report_year[0]).toBe(2020);
    expect(t.rowById.get(t.sentenceID[5])).toBe(5);
    expect(t.prev_sentence_id?.[0]).toBeNull();
    expect(t.next_sentence_id?.[0]).toBe(t.sentenceID[1]);
  });

  it('loads embeddings as one contiguous normalised Float32Array aligned with the sentence ids', async () => {
    const m = await loader.embeddings();
    expect(m.vectors).toBeInstanceOf(Float32Array);
    expect(m.dims).toBe(1024);
    expect(m.count).toBe(fx.rows);
    expect(m.vectors.length).toBe(fx.rows * 1024);
    expect(m.ids).toEqual((await loader.sentences()).sentenceID);
    for (const row of [0, 17, fx.rows - 1]) {
      let s = 0;
      for (let j = 0; j < m.dims; j++) s += m.vectors[row * m.dims + j] ** 2;
      expect(s).toBeCloseTo(1, 4);
    }
  });

  it('loads the dimensions and KPI facts as rows', async () => {
    expect((await loader.companies()).map((c) => c.ticker)).toEqual(['TST', 'OTH']);
    expect((await loader.sections())[0].sec_item_canonical).toBe('ITEM_7');
    const kpi = await loader.kpiFacts();
    expect(kpi[0]).toMatchObject({ ticker: 'TST', cik_int: 1, metric_key: 'revenue', value: 1.5e9 });
  });

  it('returns sentences by ids in the order asked, skipping unknown ids', async () => {
    const t = await loader.sentences();
    const rows = await loader.sentencesByIds([t.sentenceID[9], 'no-such-id', t.sentenceID[2]]);
    expect(rows.map((r) => r.sentenceID)).toEqual([t.sentenceID[9], t.sentenceID[2]]);
    expect(rows[0]).toMatchObject({ sentence_pos: 9, section_item: 'ITEM_7', prev_sentence_id: t.sentenceID[8] });
  });

  it('reports where each table came from, then memory on later calls', async () => {
    const first = loader.stats().find((s) => s.table === 'sentences');
    expect(first?.loadedFrom).toBe(source);
    await loader.sentences();
    const again = loader.stats().find((s) => s.table === 'sentences');
    expect(again).toMatchObject({ source: 'memory', loadedFrom: source, rows: fx.rows });
    expect(again!.bytes).toBeGreaterThan(0);
  });

  it('rejects an unknown embedding model naming the known ones', async () => {
    await expect(loader.embeddings('no_such_model')).rejects.toThrow(/unknown embedding model key.*cohere_v4/);
  });
});
