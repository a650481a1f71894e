/**
 * The shape of ml_config.yaml. Unknown keys are rejected (a typo must not silently fall back to a
 * default), cross-references (default model keys, a table's embedding_model) are checked after.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const port = z.number().int().min(0).max(65535);
const relativeKey = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), 'a relative path without ".."');

export const tableSchema = z.strictObject({
  kind: z.enum(['sentences', 'embeddings', 'dimension', 'facts', 'index']),
  s3_key: relativeKey,
  local_path: relativeKey,
  lambda_source: z.enum(['s3', 'package']).default('s3'),
  embedding_model: z.string().optional(),
});

export const embeddingModelSchema = z.strictObject({
  model_id: z.string().min(1),
  provider: z.enum(['titan', 'cohere']),
  dimensions: positiveInt,
  batch_size: positiveInt,
  max_input_chars: positiveInt,
  document_input_type: z.string().optional(),
  query_input_type: z.string().optional(),
  cost_per_1k_tokens: nonNegative.default(0),
});

export const servingModelSchema = z.strictObject({
  model_id: z.string().min(1),
  max_tokens: positiveInt,
  temperature: z.number().min(0).max(1),
  top_p: z.number().gt(0).max(1),
  cost_per_1k_input: nonNegative,
  cost_per_1k_output: nonNegative,
  context_window: positiveInt,
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  project: z.string().min(1),
  s3: z.strictObject({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)'),
    region: z.string().min(1),
    data_prefix: z.string(),
    artifacts_prefix: z.string(),
  }),
  tables: z.record(z.string(), tableSchema),
  embedding: z.strictObject({
    default: z.string(),
    models: z.record(z.string(), embeddingModelSchema),
  }),
  retrieval: z.strictObject({
    top_k: positiveInt.max(200),
    min_similarity: z.number().min(-1).max(1),
    window_size: z.number().int().min(0).max(20),
    max_context_blocks: positiveInt,
    candidate_multiplier: positiveInt.default(4),
    global_pass: z.boolean().default(true),
    fusion: z.enum(['rrf', 'vector', 'lexical']).default('rrf'),
    rrf_k: positiveInt.default(60),
    lexical: z
      .strictObject({ enabled: z.boolean().default(true), k1: nonNegative.default(1.2), b: z.number().min(0).max(1).default(0.75) })
      .default({ enabled: true, k1: 1.2, b: 0.75 }),
  }),
  serving_models: z.strictObject({
    default: z.string(),
    models: z.record(z.string(), servingModelSchema),
  }),
  cache: z.strictObject({
    local_dir: z.string().min(1),
    lambda_dir_name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a directory name (letters, digits, . _ -)'),
    budget_bytes: positiveInt.nullable().default(null),
    headroom_bytes: z.number().int().nonnegative().default(64 * 1024 * 1024),
    download_concurrency: positiveInt.max(64).default(4),
    download_part_bytes: positiveInt.min(1024 * 1024).default(16 * 1024 * 1024),
  }),
  registry: z.strictObject({
    table_name: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'),
    max_upload_bytes: positiveInt,
    max_ingest_bytes: positiveInt,
    inline_download_max_bytes: positiveInt,
    min_net_score: z.number().min(0).max(1).default(0.5),
    // Registry policy (docs/registry.md). Defaults keep older configs valid.
    gate_uploads: z.boolean().default(false),
    auth: z
      .strictObject({
        mode: z.enum(['required', 'off']).default('off'),
        admin_user: z.string().min(1).default('ece30861defaultadminuser'),
        admin_password: z.string().optional(),
        token_ttl_seconds: positiveInt.default(36000),
        token_max_uses: positiveInt.default(1000),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        allow_hosts: z.array(z.string().min(1)).default([]),
        s3_buckets: z.array(z.string().min(3)).default([]),
        timeout_ms: positiveInt.default(60000),
        max_redirects: z.number().int().min(0).max(20).default(5),
        lease_seconds: positiveInt.default(900),
      })
      .prefault({}),
    search: z.strictObject({ budget_ms: positiveInt.default(2000), max_chars: positiveInt.default(8_000_000) }).prefault({}),
  }),
  local: z.strictObject({
    host: z.string().default('127.0.0.1'),
    data_dir: z.string().default('.larder'),
    ports: z.strictObject({ s3: port, dynamodb: port, bedrock: port, api: port, lambda: port }),
  }),
});

export type RawConfig = z.infer<typeof configSchema>;
export type TableConfig = z.infer<typeof tableSchema>;
export type EmbeddingModelConfig = z.infer<typeof embeddingModelSchema>;
export type ServingModelConfig = z.infer<typeof servingModelSchema>;
