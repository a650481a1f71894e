import { existsSync } from 'node:fs';
import { tableLocalPath, type LarderConfig } from '../../../src/config';

/** Whether every one of `tables` is in the config and built in data_cache/ (`npm run build:data`). */
export function builtInDataCache(config: LarderConfig, ...tables: string[]): boolean {
  return tables.every((t) => Boolean(config.tables[t]) && existsSync(tableLocalPath(config, t)));
}
