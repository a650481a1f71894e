import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, tableLocalPath } from '../../../src/config';
import { builtInDataCache } from './dataCacheTables';
import { LocalCacheLoader } from '../../../src/loader/localCacheLoader';
import { decodeSentencesArtifact, encodeSentencesArtifact, SENTENCES_ARTIFACT_TABLE } from '../../../src/loader/sentencesArtifact';
import { sha256Hex } from '../../../src/loader/columnarArtifact';
import { readSentencesParquet } from '../../../src/loader/smallTables';
import type { SentencesTable } from '../../../src/loader/types';
import { sentencesTable } from '../rag/fixtures';

const table: SentencesTable = {
  ...sentencesTable([
    { cik: 104169, year: 2018, item: 'ITEM_7', pos: 1, text: 'Walmart net sales rose — “3.0%” to $495.8 billion (€, 日本, 🚀).' },
    { cik: 104169, year: 2018, item: 'ITEM_7', pos: 2, text: '' },
    { cik: 320193, year: 2019, item: 'ITEM_1A', pos: 1, text: 'Apple depends on suppliers.' },
  ]),
};
table.prev_sentence_id = [null, table.sentenceID[0], null];
table.next_sentence_id = [table.sentenceID[1], null, null];
const parquet = Buffer.from('the Parquet bytes this artifact was derived from');

function decoded(artifact: Buffer, source: Uint8Array = parquet): SentencesTable {
  const d = decodeSentencesArtifact(artifact, sha256Hex(source));
  if (!('table' in d)) throw new Error(`rejected: ${d.rejected}`);
  return d.table;
}

describe('the prebuilt sentences artifact', () => {
  it('round-trips every column, nulls, empty strings and non-ASCII text exactly', () => {
    const t = decoded(encodeSentencesArtifact(table, parquet));
    expect(t).toEqual({ ...table, parquetSha256: sha256Hex(parquet) });
    expect(t.rowById.get(table.sentenceID[2])).toBe(2);
  });

  it('is never trusted: another Parquet (stale), a flipped byte, a truncation or another format are rejected', () => {
    const artifact = encodeSentencesArtifact(table, parquet);
    const stale = decodeSentencesArtifact(artifact, sha256Hex(Buffer.from('a newer sentences Parquet')));
    expect(stale).toEqual({ rejected: expect.stringMatching(/^stale/) });
    const flipped = Buffer.from(artifact);
    flipped[flipped.length - 5] ^= 0x01;
    const sha = sha256Hex(parquet);
    expect(decodeSentencesArtifact(flipped, sha)).toEqual({ rejected: expect.stringMatching(/^damaged/) });
    expect(decodeSentencesArtifact(artifact.subarray(0, artifact.length - 7), sha)).toEqual({ rejected: expect.stringMatching(/^damaged/) });
    expect(decodeSentencesArtifact(Buffer.from('LBM25v1\nnot this'), sha)).toEqual({ rejected: expect.stringMatching(/bad magic/) });
  });
});

const config = loadConfig();
const haveCache = builtInDataCache(config, 'sentences', SENTENCES_ARTIFACT_TABLE);

describe.skipIf(!haveCache)('the sentences artifact of data_cache/ (npm run build:data)', () => {
  it('decodes to exactly what the Parquet decodes to, and the loader serves that', async () => {
    const path = tableLocalPath(config, 'sentences');
    const bytes = readFileSync(path);
    const fromParquet = await readSentencesParquet(bytes, { label: path });
    const artifactPath = tableLocalPath(config, SENTENCES_ARTIFACT_TABLE);
    expect(decoded(readFileSync(artifactPath), bytes)).toEqual(fromParquet);
    expect(await new LocalCacheLoader(config).sentences()).toEqual(fromParquet);
  });
});
