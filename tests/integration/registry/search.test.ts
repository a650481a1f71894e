/**
 * byRegEx over a large registry (150 datasets with 16 KiB READMEs in DynamoDB Local): the issue's
 * 61-character pattern is a 400 from the budget instead of holding the function for its timeout,
 * twenty of them at once leave other routes answering, and ordinary patterns still search it all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newArtifactId, type ArtifactRecord } from '../../../src/registry';
import { createHarness, expectError, expectSpec, type Harness } from './harness';

let h: Harness;
const README = 'A dataset of questions and answers from a quiet squad of annotators. '.repeat(260).slice(0, 16 * 1024);

beforeAll(async () => {
  h = await createHarness({ invoker: 'manual' });
  const now = new Date().toISOString();
  const records: ArtifactRecord[] = Array.from({ length: 150 }, (_, i) => ({
    id: newArtifactId(),
    type: 'dataset',
    name: `corpus-${i}`,
    nameNorm: `corpus-${i}`,
    version: 1,
    status: 'completed',
    dependsOn: {},
    readme: README,
    createdAt: now,
    updatedAt: now,
  }));
  for (let i = 0; i < records.length; i += 25) await Promise.all(records.slice(i, i + 25).map((r) => h.runtime.store.create(r)));
});

describe('byRegEx under a large registry', () => {
  it("answers the issue's pattern with a 400 naming the budget", async () => {
    const body = expectError(await h.call('POST', '/artifact/byRegEx', { json: { regex: '[\\s\\S]{1000}'.repeat(5) + 'q' } }), 400, 'VALIDATION');
    expect(body.error).toMatch(/too costly to run over the registry/);
  });

  it('twenty of them at once, and the other routes still answer', async () => {
    const attacks = Array.from({ length: 20 }, () => h.call('POST', '/artifact/byRegEx', { json: { regex: '[\\s\\S]{1000}'.repeat(5) + 'q' } }));
    const [health, list] = await Promise.all([h.call('GET', '/health'), h.call('POST', '/artifacts', { json: [{ name: 'corpus-1' }] })]);
    expect((await Promise.all(attacks)).map((r) => r.statusCode)).toEqual(Array(20).fill(400));
    expect(health.statusCode).toBe(200);
    expect(list.statusCode).toBe(200);
  });

  it('searches every README with an ordinary pattern', async () => {
    const res = await h.call('POST', '/artifact/byRegEx', { json: { regex: 'quiet squad' } });
    expect(res.statusCode).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, res.json());
    expect(res.json()).toHaveLength(150);
  });
});
