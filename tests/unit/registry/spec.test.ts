import { describe, expect, it } from 'vitest';
import { specErrors } from './spec';

describe('the spec validator itself', () => {
  it('accepts the spec example Artifact and refuses one without metadata.id', () => {
    const good = { metadata: { name: 'bert-base-uncased', id: '9078563412', type: 'model' }, data: { url: 'https://huggingface.co/google-bert/bert-base-uncased' } };
    expect(specErrors('Artifact', good)).toEqual([]);
    expect(specErrors('Artifact', { metadata: { name: 'x', type: 'model' }, data: { url: 'https://x.example' } })).not.toEqual([]);
  });

  it('refuses a type outside the enum and an id with a slash', () => {
    expect(specErrors({ arrayOf: 'ArtifactMetadata' }, [{ name: 'a', id: 'a/b', type: 'model' }])).not.toEqual([]);
    expect(specErrors('ArtifactMetadata', { name: 'a', id: 'ab', type: 'weights' })).not.toEqual([]);
  });
});
