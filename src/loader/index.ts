export * from './types';
export { createDataLoader, chooseLoader, cacheBudgetBytes, resetDataLoaders, type DataLoaderDeps, type LoaderChoice } from './createDataLoader';
export { LocalCacheLoader } from './localCacheLoader';
export { InMemoryDataLoader, type InMemoryTables } from './memoryLoader';
export { S3StreamingLoader, type S3StreamingLoaderOptions } from './s3StreamingLoader';
export { TmpCache, type CacheEntryMeta, type TmpCacheOptions } from './tmpCache';
export { readEmbeddingsParquet, normaliseRows } from './embeddingsParquet';
export { readColumns, readSentencesParquet, readCompaniesParquet, readSectionsParquet, readKpiFactsParquet } from './smallTables';
export { readVectorFile, writeVectorFile } from './vectorFile';
export { seedBucket, type SeedOptions, type SeedResult } from './seed';
// Building data_cache/ is src/dataset/ (nodejs-polars, the embedder): never part of a Lambda bundle.
