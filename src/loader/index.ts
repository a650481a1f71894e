export * from './types';
export { createDataLoader, chooseLoader, cacheBudgetBytes, resetDataLoaders, type DataLoaderDeps, type LoaderChoice } from './createDataLoader';
export { LocalCacheLoader } from './localCacheLoader';
export { S3StreamingLoader, type S3StreamingLoaderOptions } from './s3StreamingLoader';
export { TmpCache, type CacheEntryMeta, type TmpCacheOptions } from './tmpCache';
export { readEmbeddingsParquet, writeEmbeddingsParquet, normaliseRows } from './parquet';
export { readVectorFile, writeVectorFile } from './vectorFile';
