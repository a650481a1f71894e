export { compiledConfigPath, loadConfig, parseConfig, resolveConfigPath, writeCompiledConfig, DEFAULT_CONFIG_FILE, type LarderConfig } from './load';
export { readEnvOverrides, type EnvOverrides, type Env, type DataLoadingMode } from './env';
export * from './paths';
export type { TableConfig, EmbeddingModelConfig, ServingModelConfig } from './schema';
