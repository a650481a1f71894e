export * from './types';
export { createDataLoader, chooseLoader, cacheBudgetBytes, resetDataLoaders, type DataLoaderDeps, type LoaderChoice } from './createDataLoader';
export { LocalCacheLoader } from './localCacheLoader';
export { S3StreamingLoader, type S3StreamingLoaderOptions } from './s3StreamingLoader';
export { TmpCache, type CacheEntryMeta, type TmpCacheOptions } from './tmpCache';
export { readEmbeddingsParquet, writeEmbeddingsParquet, normaliseRows } from './parquet';
export { readVectorFile, writeVectorFile } from './vectorFile';
export { seedBucket, type SeedOptions, type SeedResult } from './seed';
// ensureDataCache / buildDataCache live in './build/dataCache' (not re-exported here: they pull in
// the Bedrock emulator, which the Lambda bundle must not carry).
