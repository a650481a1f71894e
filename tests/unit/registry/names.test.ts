import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  blobExtension,
  deriveNameFromUrl,
  nameKeySegment,
  normaliseName,
  parseArtifactType,
  parseSourceUrl,
  validateArtifactId,
  validateArtifactName,
} from '../../../src/registry/names';
import { ValidationError } from '../../../src/errors';

describe('artifact names', () => {
  it('folds compatibility forms (NFKC) before validating, so full-width dots and slashes cannot pass', () => {
    expect(() => validateArtifactName('\uff0e\uff0e')).toThrow('"." and ".."'); // "．．"
    expect(() => validateArtifactName('a\uff0fb')).toThrow('"/"'); // "a／b"
    expect(validateArtifactName('ｂｅｒｔ')).toBe('bert');
  });

  it('keeps the name as given (trimmed, NFKC) and normalises for matching', () => {
    expect(validateArtifactName('  BERT Base  ')).toBe('BERT Base');
    expect(normaliseName('BERT  Base')).toBe('bert-base');
    expect(normaliseName('ｂｅｒｔ')).toBe('bert'); // NFKC folds full-width letters
  });

  it.each([
    ['', 'empty'],
    ['*', 'reserved'],
    ['../etc/passwd', '"/"'],
    ['a\\b', '"/"'],
    ['..', '"." and ".."'],
    ['bad\u0000name', 'control'],
    ['zero\u200bwidth', 'control'],
    ['x'.repeat(256), 'at most 255 bytes'],
  ])('refuses %j with a message about %s', (name, fragment) => {
    expect(() => validateArtifactName(name)).toThrow(ValidationError);
    expect(() => validateArtifactName(name)).toThrow(fragment);
  });

  it('refuses non-strings', () => {
    expect(() => validateArtifactName(42)).toThrow('expected a string, found number');
    expect(() => validateArtifactName(null)).toThrow('found null');
  });

  it('makes one S3 key segment from any valid name (no "/" can survive)', () => {
    for (const n of ['a b', 'x%2F..', 'ünïcode', '...', 'a?b#c']) {
      const seg = nameKeySegment(normaliseName(validateArtifactName(n)));
      expect(seg).not.toContain('/');
      expect(['.', '..']).not.toContain(seg);
    }
  });

  it('accepts every name of the autograder-like ingest list', () => {
    const data = JSON.parse(readFileSync(new URL('../../../../shared/reference/ece461/autograder_like_test_artifacts.json', import.meta.url), 'utf8').toString()) as { ingest: { name: string }[] };
    for (const { name } of data.ingest) expect(validateArtifactName(name)).toBe(name);
  });
});

describe('types and ids', () => {
  it('accepts the three types and names the others', () => {
    expect(parseArtifactType('dataset')).toBe('dataset');
    expect(() => parseArtifactType('weights')).toThrow('expected one of model, dataset, code, found "weights"');
  });

  it('accepts spec ids and refuses traversal', () => {
    expect(validateArtifactId('3847247294')).toBe('3847247294');
    expect(validateArtifactId('0b6c-aa')).toBe('0b6c-aa');
    expect(() => validateArtifactId('../x')).toThrow(ValidationError);
    expect(() => validateArtifactId('a'.repeat(65))).toThrow(ValidationError);
  });
});

describe('source URLs', () => {
  it('canonicalises so trivial variants are the same source', () => {
    const a = parseSourceUrl('https://GitHub.com/openai/whisper.git');
    const b = parseSourceUrl('https://github.com/openai/whisper/');
    const c = parseSourceUrl('https://github.com/openai/whisper#readme');
    expect(a.canonical).toBe('https://github.com/openai/whisper');
    expect(b.digest).toBe(a.digest);
    expect(c.digest).toBe(a.digest);
    expect(parseSourceUrl('https://github.com/openai/whisper?x=1').digest).not.toBe(a.digest);
  });

  it.each([
    ['ftp://example.com/x', 'http://, https:// or s3://'],
    ['not a url', 'whitespace'],
    ['/relative/path', 'not an absolute URL'],
    ['https://user:pw@example.com/x', 'credentials'],
    ['s3://bucket-only', 'needs a key'],
  ])('refuses %s', (url, fragment) => {
    expect(() => parseSourceUrl(url)).toThrow(fragment);
  });

  it.each([
    ['https://huggingface.co/google-bert/bert-base-uncased', 'bert-base-uncased'],
    ['https://huggingface.co/datasets/bookcorpus/bookcorpus', 'bookcorpus'],
    ['https://github.com/huggingface/lerobot/tree/main', 'lerobot'],
    ['https://github.com/Parth1811/ptm-recommendation-with-transformers.git', 'ptm-recommendation-with-transformers'],
    ['http://127.0.0.1:9999/files/model.tar.gz', 'model'],
    ['s3://bucket/dir/data.zip', 'data'],
  ])('derives a name from %s', (url, name) => {
    expect(deriveNameFromUrl(parseSourceUrl(url))).toBe(name);
  });
});

describe('blob extensions', () => {
  it('prefers the file name, then the content type', () => {
    expect(blobExtension('m.tar.gz', 'application/octet-stream')).toBe('.tar.gz');
    expect(blobExtension('weights.SAFETENSORS', undefined)).toBe('.safetensors');
    expect(blobExtension(undefined, 'application/zip; charset=binary')).toBe('.zip');
    expect(blobExtension('../../etc/passwd', undefined)).toBe('.bin');
    expect(blobExtension(undefined, undefined)).toBe('.bin');
  });
});
