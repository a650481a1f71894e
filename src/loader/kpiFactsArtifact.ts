/**
 * The KPI facts as a prebuilt columnar artifact (table `index_kpi_facts`, built by
 * `npm run build:data` beside the Parquet, seeded to S3 with it; the layout and its checks are
 * columnarArtifact.ts). The facts Parquet is small (~7k rows) but Snappy-compressed and dictionary
 * encoded, and hyparquet decodes it on a cold JIT in ~40–60 ms of the first answer; this form takes
 * a few. Used only when derived from exactly the Parquet fetched (its SHA-256).
 */
import { decodeColumnar, encodeColumnar, type ColumnarSpec, type ColumnValues } from './columnarArtifact';
import type { KpiFactRow } from './types';

/** The table of ml_config.yaml holding this artifact. */
export const KPI_FACTS_ARTIFACT_TABLE = 'index_kpi_facts';
/** Bump when the layout or the columns change (the build then rebuilds the artifact). */
export const KPI_FACTS_ARTIFACT_VERSION = 1;

/** KpiFactRow's fields, in the order the Parquet reader builds them. */
const FIELDS = ['cik', 'ticker', 'year', 'metric_key', 'metric_label', 'metric_type', 'value', 'unit', 'filed_date', 'accession_no', 'cik_int'] as const;
const NUMBERS = new Set<string>(['year', 'value', 'cik_int']);

const SPEC: ColumnarSpec = {
  magic: 'LKPIFv1\n',
  version: KPI_FACTS_ARTIFACT_VERSION,
  // Every text field repeats (companies, metrics, units, filings): dictionary-encoded.
  columns: FIELDS.map((f) => [f, NUMBERS.has(f) ? 'f64' : 'dict'] as const),
};

/**
 * Encodes the rows as read from `parquet`. Throws when a value is neither null nor of its column's
 * type (a date column read as Date objects, say): such a table is decoded from its Parquet instead.
 */
export function encodeKpiFactsArtifact(rows: readonly KpiFactRow[], parquet: Uint8Array): Buffer {
  const columns: Record<string, ColumnValues> = {};
  for (const f of FIELDS) {
    const type = NUMBERS.has(f) ? 'number' : 'string';
    const values = rows.map((r, i) => {
      const v = r[f] as unknown;
      if (v !== null && typeof v !== type) throw new Error(`kpi facts row ${i}: ${f} is ${typeof v}, the artifact holds ${type}s`);
      return v as never;
    });
    columns[f] = values;
  }
  return encodeColumnar(SPEC, rows.length, columns, parquet);
}

/** The rows of an artifact derived from the Parquet whose SHA-256 is `parquetSha256`, or why it cannot be used. */
export function decodeKpiFactsArtifact(artifact: Buffer, parquetSha256: string): { rows: KpiFactRow[] } | { rejected: string } {
  const decoded = decodeColumnar(SPEC, artifact, parquetSha256);
  if ('rejected' in decoded) return decoded;
  const c = decoded.columns as Record<(typeof FIELDS)[number], unknown[]>;
  const rows = new Array<KpiFactRow>(decoded.count);
  // One object literal per row, fields in the Parquet reader's order (the same shape as readKpiFactsParquet).
  for (let i = 0; i < decoded.count; i++) {
    rows[i] = {
      cik: c.cik[i] as string,
      ticker: c.ticker[i] as string,
      year: c.year[i] as number,
      metric_key: c.metric_key[i] as string,
      metric_label: c.metric_label[i] as string,
      metric_type: c.metric_type[i] as string,
      value: c.value[i] as number,
      unit: c.unit[i] as string,
      filed_date: c.filed_date[i] as string,
      accession_no: c.accession_no[i] as string,
      cik_int: c.cik_int[i] as number,
    };
  }
  return { rows };
}
