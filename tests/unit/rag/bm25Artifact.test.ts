import { describe, expect, it } from 'vitest';
import { InMemoryDataLoader } from '../../../src/loader/memoryLoader';
import { Bm25Index } from '../../../src/rag/lexical/bm25';
import { bm25ArtifactKey, decodeBm25Artifact, encodeBm25Artifact } from '../../../src/rag/lexical/bm25Artifact';
import { BM25_ARTIFACT_TABLE, buildIndexes } from '../../../src/rag/retrieval/indexes';
import { COMPANIES, SECTIONS, sentencesTable } from './fixtures';

const params = { k1: 1.2, b: 0.75 };
const table = sentencesTable([
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 1, text: 'Walmart net sales increased 3.0% to $495.8 billion.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 2, text: 'Fuel prices contributed to higher sales.' },
  { cik: 320193, year: 2019, item: 'ITEM_1A', pos: 1, text: 'Apple depends on component suppliers outside the U.S.' },
]);
const matrix = { model: 'cohere_v4', ids: table.sentenceID, vectors: new Float32Array(table.count * 32).fill(0.25), dims: 32, count: table.count };
const artifactFor = (texts: string[]) => encodeBm25Artifact(Bm25Index.build(texts, params).toParts(), bm25ArtifactKey(texts));
const indexesWith = (artifact?: Buffer) =>
  buildIndexes(new InMemoryDataLoader({ sentences: table, embeddings: matrix, companies: COMPANIES, sections: SECTIONS, artifacts: artifact ? { [BM25_ARTIFACT_TABLE]: artifact } : {} }), { lexical: params, kernel: 'js' });

describe('the prebuilt BM25 artifact', () => {
  it('round-trips the postings: the same scores as an index built from the texts', () => {
    const built = Bm25Index.build(table.sentence, params);
    const decoded = decodeBm25Artifact(artifactFor(table.sentence), bm25ArtifactKey(table.sentence));
    expect('parts' in decoded).toBe(true);
    const loaded = Bm25Index.fromParts(params, (decoded as { parts: ReturnType<Bm25Index['toParts']> }).parts);
    for (const q of ['walmart sales', 'suppliers', 'fuel prices higher']) expect(loaded.search(q, { k: 3 })).toEqual(built.search(q, { k: 3 }));
  });

  it('is loaded on a cold start instead of rebuilt when it was built for these sentences', async () => {
    const ix = await indexesWith(artifactFor(table.sentence));
    expect(ix.lexicalSource).toBe('artifact');
    expect(ix.lexical.search('walmart', { k: 1 }).hits[0].id).toBe(0);
  });

  it('is never trusted when stale (other sentences), truncated or missing: the postings are built', async () => {
    const stale = artifactFor(['Some other corpus entirely.', 'Built before the sentences changed.', 'Third row.']);
    const truncated = artifactFor(table.sentence).subarray(0, 100);
    for (const artifact of [stale, truncated, undefined]) {
      const ix = await indexesWith(artifact);
      expect(ix.lexicalSource).toBe('built');
      expect(ix.lexical.search('walmart', { k: 1 }).hits[0].id).toBe(0);
    }
    expect(decodeBm25Artifact(stale, bm25ArtifactKey(table.sentence))).toEqual({ rejected: expect.stringMatching(/^stale/) });
    expect(decodeBm25Artifact(truncated, bm25ArtifactKey(table.sentence))).toEqual({ rejected: expect.stringMatching(/^damaged/) });
  });
});
