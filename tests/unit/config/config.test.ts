import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compiledConfigPath,
  embeddingsTableName,
  loadConfig,
  parseConfig,
  servingModel,
  tableLocalPath,
  tablePackagePath,
  tableS3Key,
  tableS3Uri,
  writeCompiledConfig,
} from '../../../src/config';
import { ConfigError } from '../../../src/errors';

const text = readFileSync(new URL('../../../ml_config.yaml', import.meta.url), 'utf8');

function expectConfigError(yamlText: string, ...fragments: string[]) {
  try {
    parseConfig(yamlText, 'bad.yaml', {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    for (const f of fragments) expect((err as Error).message).toContain(f);
    return;
  }
  throw new Error('expected a ConfigError');
}

describe('ml_config.yaml', () => {
  it('loads the repository config with the real serving models and a default of each kind', () => {
    const config = loadConfig(undefined, {});
    expect(Object.keys(config.serving_models.models)).toEqual(
      expect.arrayContaining(['claude_haiku_45', 'claude_sonnet_45', 'nova_micro', 'llama31_70b']),
    );
    expect(servingModel(config).model_id).toContain('claude-haiku-4-5');
    expect(config.embedding.models.titan_v2.model_id).toBe('amazon.titan-embed-text-v2:0');
    expect(Object.isFrozen(config.retrieval)).toBe(true);
  });

  it('builds S3 keys, URIs and local paths for every table', () => {
    const config = loadConfig(undefined, {});
    expect(tableS3Key(config, 'sentences')).toBe('finrag/data/sentences/finrag_sentences.parquet');
    expect(tableS3Uri(config, 'companies')).toMatch(/^s3:\/\/larder-finsights\/finrag\/data\/dimensions\//);
    expect(tableLocalPath(config, 'kpi_facts')).toContain('/data_cache/metrics/');
    expect(tablePackagePath(config, 'sections', '/var/task')).toBe('/var/task/data_cache/dimensions/finrag_dim_sec_sections.parquet');
    expect(embeddingsTableName(config, 'titan_v2')).toBe('embeddings_titan_v2');
  });

  it('applies env overrides read in one place', () => {
    const config = parseConfig(text, 'ml_config.yaml', {
      AWS_REGION: 'eu-west-1',
      LARDER_BUCKET: 'other-bucket',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      DATA_LOADING_MODE: 's3_streaming',
    });
    expect(config.s3.region).toBe('eu-west-1');
    expect(config.s3.bucket).toBe('other-bucket');
    expect(config.overrides.endpoints.s3).toBe('http://127.0.0.1:4569');
    expect(config.overrides.dataLoadingMode).toBe('S3_STREAMING');
  });

  it('rejects a wrong type naming the file, the key path, the expectation and the value', () => {
    expectConfigError(text.replace('top_k: 10', 'top_k: "ten"'), 'bad.yaml', 'retrieval.top_k', 'expected number', '"ten"');
  });

  it('rejects a missing key', () => {
    expectConfigError(text.replace(/\n  bucket: larder-finsights/, ''), 's3.bucket', 'missing');
  });

  it('rejects an unknown default serving model key', () => {
    expectConfigError(text.replace('default: claude_haiku_45', 'default: gpt5'), 'serving_models.default', '"gpt5"');
  });

  it('rejects unknown keys (typos) instead of ignoring them', () => {
    expectConfigError(text.replace('  top_k: 10', '  top_k: 10\n  topk: 5'), 'retrieval', 'topk');
  });

  it('rejects invalid YAML and a bad DATA_LOADING_MODE', () => {
    expectConfigError('a: [1, 2', 'bad.yaml', 'invalid YAML');
    expect(() => parseConfig(text, 'x.yaml', { DATA_LOADING_MODE: 'FAST' })).toThrow(/DATA_LOADING_MODE.*FAST/);
  });

  it('fails clearly when the file does not exist', () => {
    expect(() => loadConfig('/nonexistent/ml_config.yaml', {})).toThrow(/not found/);
  });
});

describe('the compiled config (a Lambda package\'s ml_config.compiled.json)', () => {
  const withDir = (fn: (dir: string, yaml: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'larder-compiled-config-'));
    try {
      const yaml = join(dir, 'ml_config.yaml');
      writeFileSync(yaml, text);
      fn(dir, yaml);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const stripPaths = ({ configPath: _p, rootDir: _r, ...rest }: ReturnType<typeof loadConfig>) => rest;

  it('loads to exactly the config the YAML gives', () =>
    withDir((dir, yaml) => {
      const fromYaml = loadConfig(yaml, {});
      writeCompiledConfig(yaml, compiledConfigPath(yaml));
      expect(compiledConfigPath(yaml)).toBe(join(dir, 'ml_config.compiled.json'));
      expect(loadConfig(yaml, {})).toEqual(fromYaml);
      expect(stripPaths(loadConfig(yaml, {}))).toEqual(stripPaths(loadConfig(undefined, {})));
    }));

  it('is ignored once the YAML is edited, or when it is damaged: the YAML is what counts', () =>
    withDir((_dir, yaml) => {
      writeCompiledConfig(yaml, compiledConfigPath(yaml));
      writeFileSync(yaml, text.replace(/top_k: \d+/, 'top_k: 3'));
      expect(loadConfig(yaml, {}).retrieval.top_k).toBe(3);
      writeFileSync(compiledConfigPath(yaml), '{"sha256": "trunc');
      expect(loadConfig(yaml, {}).retrieval.top_k).toBe(3);
    }));

  it('validates like the YAML: a compiled document that no longer validates is an error naming the file', () =>
    withDir((_dir, yaml) => {
      writeCompiledConfig(yaml, compiledConfigPath(yaml));
      const compiled = JSON.parse(readFileSync(compiledConfigPath(yaml), 'utf8'));
      compiled.document.retrieval.top_k = 'many';
      writeFileSync(compiledConfigPath(yaml), JSON.stringify(compiled));
      expect(() => loadConfig(yaml, {})).toThrow(/ml_config\.yaml: invalid config\n\s+retrieval\.top_k/);
    }));

  it('is not written for an invalid config: the build fails, not the function', () =>
    withDir((_dir, yaml) => {
      writeFileSync(yaml, text.replace(/top_k: \d+/, 'top_k: many'));
      expect(() => writeCompiledConfig(yaml, compiledConfigPath(yaml))).toThrow(ConfigError);
    }));
});
