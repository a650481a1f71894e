import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { chooseLoader, cacheBudgetBytes, createDataLoader, resetDataLoaders } from '../../../src/loader';
import { parseSentenceId } from '../../../src/dataset/finsightsSentences';
import { parseLoaderCheckEvent } from '../../../src/loader/healthCheck';

const quiet = { LARDER_LOG_LEVEL: 'silent' };
const config = (env: Record<string, string> = {}) => loadConfig(undefined, { ...quiet, ...env });

describe('createDataLoader: which loader and why', () => {
  it('DATA_LOADING_MODE wins over being in Lambda', () => {
    const c = chooseLoader(config({ DATA_LOADING_MODE: 'LOCAL_CACHE', AWS_LAMBDA_FUNCTION_NAME: 'fn' }));
    expect(c).toMatchObject({ mode: 'LOCAL_CACHE', reason: 'DATA_LOADING_MODE=LOCAL_CACHE', cacheDir: '/tmp/larder-cache' });
  });

  it('in Lambda streams from S3 into /tmp/<lambda_dir_name>; elsewhere reads data_cache/', () => {
    expect(chooseLoader(config({ AWS_LAMBDA_FUNCTION_NAME: 'QueryFunction' }))).toMatchObject({ mode: 'S3_STREAMING', cacheDir: '/tmp/larder-cache' });
    expect(chooseLoader(config()).mode).toBe('LOCAL_CACHE');
    expect(chooseLoader(config({ LARDER_CACHE_DIR: '/x/y' })).cacheDir).toBe('/x/y');
  });

  it('derives the byte budget from EphemeralStorage minus headroom unless set', () => {
    expect(cacheBudgetBytes(config())).toBe(512 * 2 ** 20 - 64 * 2 ** 20);
    expect(cacheBudgetBytes(config({ LARDER_EPHEMERAL_STORAGE_MB: '2048' }))).toBe(2048 * 2 ** 20 - 64 * 2 ** 20);
    expect(cacheBudgetBytes(config({ LARDER_CACHE_BUDGET_BYTES: '1000' }))).toBe(1000);
  });

  it('keeps one loader per config at module scope (warm invocations reuse its tables)', () => {
    resetDataLoaders();
    const c = config();
    const first = createDataLoader(c);
    expect(createDataLoader(c)).toBe(first);
    expect(createDataLoader(c, undefined, { fresh: true })).not.toBe(first);
  });
});

describe('FinSights sentence ids', () => {
  it('parse into cik, year, canonical item and sequence', () => {
    expect(parseSentenceId('0000104169_10-K_2018_section_7_142')).toEqual({ cik10: '0000104169', cikInt: 104169, year: 2018, item: 'ITEM_7', seq: 142, docID: '0000104169_10-K_2018' });
    expect(parseSentenceId('0001652044_10-K_2016_section_1A_3')?.item).toBe('ITEM_1A');
    expect(parseSentenceId('not-an-id')).toBeNull();
  });
});

describe('DataLoaderTestFunction event', () => {
  it('accepts FinSights operation names and rejects unknown ones naming the known ones', () => {
    expect(parseLoaderCheckEvent({ operations: ['load_stage2_meta', 'fetch_sentences_by_ids'] }).operations).toHaveLength(2);
    expect(() => parseLoaderCheckEvent({ operations: ['load_everything'] })).toThrow(/unknown operation\(s\) load_everything; known: load_stage2_meta/);
    expect(() => parseLoaderCheckEvent([])).toThrow(/expected a JSON object/);
    expect(() => parseLoaderCheckEvent({ operations: ['load_all'], sentence_ids: 'x' })).toThrow(/sentence_ids/);
  });
});
