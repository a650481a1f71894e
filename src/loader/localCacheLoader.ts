/** Reads tables from data_cache/ (paths from ml_config.yaml): development and `larder start`. */
import { statSync } from 'node:fs';
import { localCacheDir, tableLocalPath, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { BaseDataLoader, type FetchedTable } from './baseLoader';
import type { TableDecoder } from './tableDecoders';
import type { LoaderCacheState } from './types';

export class LocalCacheLoader extends BaseDataLoader {
  readonly kind = 'local' as const;

  constructor(config: LarderConfig) {
    super(config);
  }

  cacheState(): LoaderCacheState {
    return { loader: 'LocalCacheLoader', dir: localCacheDir(this.config) };
  }

  protected async fetchTable<T>(decoder: TableDecoder<T>): Promise<FetchedTable<T>> {
    const path = tableLocalPath(this.config, decoder.table);
    let bytes: number;
    try {
      bytes = statSync(path).size;
    } catch (err) {
      throw new LarderError('TABLE_NOT_FOUND', `table "${decoder.table}": ${path} not found; build the data cache with "npm run build:data"`, {
        cause: err,
        details: { table: decoder.table, path },
      });
    }
    return { value: await decoder.decodeParquet(path, path), source: 'local', bytes };
  }
}
