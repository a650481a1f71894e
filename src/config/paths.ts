/**
 * Where each table lives: its S3 key and URI, its path in data_cache/, its path in the function
 * package, and which table holds the embeddings of a given model. Model lookups by key.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import type { LarderConfig } from './load';
import type { EmbeddingModelConfig, ServingModelConfig, TableConfig } from './schema';

export function tableConfig(config: LarderConfig, table: string): TableConfig {
  const t = config.tables[table];
  if (!t) throw new ConfigError(`tables.${table}: no such table in ${config.configPath} (known: ${Object.keys(config.tables).join(', ')})`);
  return t;
}

/** The object key of a table in the bucket: `<s3.data_prefix>/<table.s3_key>`. */
export function tableS3Key(config: LarderConfig, table: string): string {
  return joinKey(config.s3.data_prefix, tableConfig(config, table).s3_key);
}

export function tableS3Uri(config: LarderConfig, table: string): string {
  return `s3://${config.s3.bucket}/${tableS3Key(config, table)}`;
}

/** The local data_cache/ directory, absolute. */
export function localCacheDir(config: LarderConfig): string {
  return isAbsolute(config.cache.local_dir) ? config.cache.local_dir : resolve(config.rootDir, config.cache.local_dir);
}

/** A table's file in data_cache/. */
export function tableLocalPath(config: LarderConfig, table: string): string {
  return join(localCacheDir(config), tableConfig(config, table).local_path);
}

/** A package-shipped table's file inside the function package (LAMBDA_TASK_ROOT/data_cache/…). */
export function tablePackagePath(config: LarderConfig, table: string, taskRoot: string): string {
  return join(taskRoot, 'data_cache', tableConfig(config, table).local_path);
}

/** The name of the table holding embeddings of `modelKey` (the default embedding model when omitted). */
export function embeddingsTableName(config: LarderConfig, modelKey = config.embedding.default): string {
  embeddingModel(config, modelKey);
  const name = Object.entries(config.tables).find(([, t]) => t.kind === 'embeddings' && t.embedding_model === modelKey)?.[0];
  if (!name) throw new ConfigError(`tables: no embeddings table for embedding model "${modelKey}" in ${config.configPath}`);
  return name;
}

export function embeddingModel(config: LarderConfig, key = config.embedding.default): EmbeddingModelConfig & { key: string } {
  const m = config.embedding.models[key];
  if (!m) throw new ConfigError(`embedding.models.${key}: unknown embedding model key (known: ${Object.keys(config.embedding.models).join(', ')})`);
  return { ...m, key };
}

export function servingModel(config: LarderConfig, key = config.serving_models.default): ServingModelConfig & { key: string } {
  const m = config.serving_models.models[key];
  if (!m) throw new ConfigError(`serving_models.models.${key}: unknown serving model key (known: ${Object.keys(config.serving_models.models).join(', ')})`, { statusCode: 400 });
  return { ...m, key };
}

function joinKey(prefix: string, key: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${key.replace(/^\/+/, '')}` : key.replace(/^\/+/, '');
}
