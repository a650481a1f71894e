import { describe, expect, it } from 'vitest';
import { fromItem, indexKeys, keys, toArtifactView, toItem, toSeedModel } from '../../../src/registry/records';
import { rateOffline } from '../../../src/registry/rater';
import { summariseArchive } from '../../../src/registry/archive';
import type { ArtifactRecord } from '../../../src/registry/types';
import { goodModelArchive } from './fixtures';
import { specErrors } from './spec';

function record(overrides: Partial<ArtifactRecord> = {}): ArtifactRecord {
  return {
    id: '0f0e-1',
    type: 'model',
    name: 'Tiny Classifier',
    nameNorm: 'tiny-classifier',
    version: 3,
    status: 'completed',
    sourceUrl: 'https://huggingface.co/acme/tiny-classifier',
    blob: { key: 'artifacts/model/tiny-classifier/0f0e-1.tar.gz', sizeBytes: 1234, contentType: 'application/gzip', sha256: 'ab' },
    license: 'mit',
    readme: '# tiny',
    dependsOn: { dataset: 'tiny-squad' },
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:01:00.000Z',
    ...overrides,
  };
}

describe('toItem / fromItem', () => {
  it('round-trips every field', () => {
    const bytes = goodModelArchive();
    const r = record({ rating: rateOffline({ name: 'Tiny Classifier', sizeBytes: bytes.length, archive: summariseArchive(bytes), dependencies: [] }).rating });
    const item = toItem(r);
    expect(item).toMatchObject({ ...keys.artifact(r.id), entity: 'artifact', byNamePk: 'tiny-classifier', byTypePk: 'model' });
    expect(fromItem(JSON.parse(JSON.stringify(item)))).toEqual(r);
  });

  it('leaves retired records out of both GSIs', () => {
    expect(indexKeys(record({ status: 'rejected' }))).toEqual({});
    expect(indexKeys(record({ status: 'failed' }))).toEqual({});
    expect(Object.keys(indexKeys(record({ status: 'pending' })))).toEqual(['inflightPk', 'inflightSk', 'byNamePk', 'byNameSk', 'byTypePk', 'byTypeSk']);
    expect(Object.keys(indexKeys(record({ status: 'completed' })))).toEqual(['byNamePk', 'byNameSk', 'byTypePk', 'byTypeSk']); // in-flight index is sparse
  });

  it('sorts a name partition by arrival and a name\'s GSI entries by type', () => {
    const r = record();
    expect(toItem(r).byNameSk).toBe(`model#${r.createdAt}#${r.id}`);
    expect(keys.member('dataset', 'squad', 42, r.id).sk).toBe(`MEMBER#000000000042#${r.id}`);
  });

  it('refuses an item that is not an artifact', () => {
    expect(() => fromItem({ pk: 'URL#x', sk: 'URL', entity: 'url' })).toThrow('not an artifact record');
  });
});

describe('views', () => {
  it('builds a spec Artifact with the source url and the download url', () => {
    const view = toArtifactView(record(), 'bucket', 'http://127.0.0.1:4569/bucket/key?X-Amz-Signature=1');
    expect(specErrors('Artifact', view)).toEqual([]);
    expect(view.data.url).toBe('https://huggingface.co/acme/tiny-classifier');
    expect(view.status).toEqual({ state: 'completed', updated_at: '2026-11-22T10:01:00.000Z' });
  });

  it('points an upload at its s3:// location', () => {
    const view = toArtifactView(record({ sourceUrl: undefined }), 'bucket');
    expect(view.data).toEqual({ url: 's3://bucket/artifacts/model/tiny-classifier/0f0e-1.tar.gz' });
    expect(specErrors('Artifact', view)).toEqual([]);
  });

  it('maps onto the seeds\' Model record', () => {
    const bytes = goodModelArchive();
    const rating = rateOffline({ name: 'Tiny Classifier', sizeBytes: bytes.length, archive: summariseArchive(bytes), dependencies: [] }).rating;
    const seed = toSeedModel(record({ rating }), { dataset: 'ds-1' });
    expect(seed).toMatchObject({ name: 'Tiny Classifier', size: 1234, license: 'mit', model_key: 'artifacts/model/tiny-classifier/0f0e-1.tar.gz', dataset_key: 'ds-1', code_key: null });
    expect(seed.scores.net_score).toBe(rating.net_score);
    expect(seed.scores.size_score).toEqual(rating.size_score);
    expect(seed.scores_latency.net_score).toBe(rating.net_score_latency);
    expect(Object.keys(seed.scores)).not.toContain('name');
  });
});
