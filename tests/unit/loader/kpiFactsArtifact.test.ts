import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, tableLocalPath } from '../../../src/config';
import { builtInDataCache } from './dataCacheTables';
import { sha256Hex } from '../../../src/loader/columnarArtifact';
import { decodeKpiFactsArtifact, encodeKpiFactsArtifact, KPI_FACTS_ARTIFACT_TABLE } from '../../../src/loader/kpiFactsArtifact';
import { LocalCacheLoader } from '../../../src/loader/localCacheLoader';
import { readKpiFactsParquet } from '../../../src/loader/smallTables';
import type { KpiFactRow } from '../../../src/loader/types';

const row = (over: Partial<KpiFactRow>): KpiFactRow => ({
  cik: '0000104169', ticker: 'WMT', year: 2018, metric_key: 'revenue', metric_label: 'Revenue', metric_type: 'gaap',
  value: 495_761_000_000, unit: 'USD', filed_date: '2018-03-30', accession_no: '0000104169-18-000028', cik_int: 104169, ...over,
});
const rows: KpiFactRow[] = [
  row({}),
  row({ metric_key: null as unknown as string, filed_date: null as unknown as string, value: -0.125, metric_label: 'Umsatz – “Netto” (日本) 🚀' }),
  row({ year: null as unknown as number, value: Number.NaN, accession_no: '' }),
];
const parquet = Buffer.from('the facts Parquet these rows were read from');

describe('the prebuilt KPI facts artifact', () => {
  it('round-trips every field, nulls, NaN, empty and non-ASCII strings, in the Parquet reader\'s field order', () => {
    const d = decodeKpiFactsArtifact(encodeKpiFactsArtifact(rows, parquet), sha256Hex(parquet));
    if (!('rows' in d)) throw new Error(`rejected: ${d.rejected}`);
    expect(d.rows).toEqual(rows);
    expect(d.rows.map((r) => Object.keys(r))).toEqual(rows.map((r) => Object.keys(r)));
    expect(d.rows[1].metric_key).toBeNull();
    expect(Number.isNaN(d.rows[2].value)).toBe(true);
  });

  it('is never trusted: another Parquet, a flipped byte, a truncation or another format are rejected', () => {
    const artifact = encodeKpiFactsArtifact(rows, parquet);
    const sha = sha256Hex(parquet);
    expect(decodeKpiFactsArtifact(artifact, sha256Hex(Buffer.from('newer facts')))).toEqual({ rejected: expect.stringMatching(/^stale/) });
    for (const at of [artifact.length - 3, artifact.length - 200]) {
      const flipped = Buffer.from(artifact);
      flipped[at] ^= 0x10;
      expect(decodeKpiFactsArtifact(flipped, sha)).toEqual({ rejected: expect.stringMatching(/^damaged/) });
    }
    expect(decodeKpiFactsArtifact(artifact.subarray(0, artifact.length - 9), sha)).toEqual({ rejected: expect.stringMatching(/^damaged/) });
    expect(decodeKpiFactsArtifact(Buffer.from('LSENTv3\nnot this one'), sha)).toEqual({ rejected: expect.stringMatching(/bad magic/) });
  });

  it('refuses values its columns cannot hold as read (a date read as a Date), rather than change them', () => {
    const withDate = [row({ filed_date: new Date('2018-03-30') as unknown as string })];
    expect(() => encodeKpiFactsArtifact(withDate, parquet)).toThrow(/filed_date is object/);
  });
});

const config = loadConfig();
const haveCache = builtInDataCache(config, 'kpi_facts', KPI_FACTS_ARTIFACT_TABLE);

describe.skipIf(!haveCache)('the KPI facts artifact of data_cache/ (npm run build:data)', () => {
  it('decodes to exactly what the Parquet decodes to, and the loader serves that', async () => {
    const path = tableLocalPath(config, 'kpi_facts');
    const bytes = readFileSync(path);
    const fromParquet = await readKpiFactsParquet(bytes, { label: path });
    const artifact = readFileSync(tableLocalPath(config, KPI_FACTS_ARTIFACT_TABLE));
    const d = decodeKpiFactsArtifact(artifact, sha256Hex(bytes));
    if (!('rows' in d)) throw new Error(`rejected: ${d.rejected}`);
    expect(d.rows).toEqual(fromParquet);
    expect(await new LocalCacheLoader(config).kpiFacts()).toEqual(fromParquet);
  });
});
