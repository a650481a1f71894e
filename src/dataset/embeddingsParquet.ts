/**
 * Writes an embeddings table the way the loader's page reader reads it fastest:
 * (sentenceID, embedding: FixedSizeList(Float32, dims)), PLAIN, uncompressed, from a flat
 * Float32Array, without ever building JS number arrays: apache-arrow wraps the buffer zero-copy, an
 * Arrow IPC file carries it to nodejs-polars, which writes the Parquet (0.24.1 has no
 * Expr.reshape; a List column would make the reader's fallback copy). Build-time only: nodejs-polars
 * stays out of the Lambda packages.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import * as arrow from 'apache-arrow';
import { LarderError } from '../errors';

export function writeEmbeddingsParquet(path: string, ids: string[], vectors: Float32Array, dims: number): void {
  const count = ids.length;
  if (vectors.length !== count * dims) throw new LarderError('TABLE_INVALID', `writeEmbeddingsParquet: ${vectors.length} values for ${count}×${dims}`);
  const child = arrow.makeData({ type: new arrow.Float32(), length: count * dims, data: vectors });
  const listType = new arrow.FixedSizeList(dims, new arrow.Field('item', new arrow.Float32(), false));
  const embedding = arrow.makeVector(arrow.makeData({ type: listType, length: count, nullCount: 0, child }));
  const table = new arrow.Table({ sentenceID: arrow.vectorFromArray(ids, new arrow.Utf8()), embedding });
  const dir = mkdtempSync(join(tmpdir(), 'larder-ipc-'));
  try {
    const ipcPath = join(dir, 'embeddings.ipc'); // pl.readIPC wants a path ending in .ipc
    writeFileSync(ipcPath, arrow.tableToIPC(table, 'file'));
    pl.readIPC(ipcPath).writeParquet(path, { compression: 'uncompressed' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
