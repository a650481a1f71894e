/**
 * The shape of ml_config.yaml. Unknown keys are rejected (a typo must not silently fall back to a
 * default), cross-references (default model keys, a table's embedding_model) are checked after.
 */
import * as z from 'zod/mini';

// zod/mini (the same validator core as zod, functional API): ~22 KB bundled against ~450 KB, which
// was ~35–45 ms of every Lambda's Init just to compile and evaluate.
const positiveInt = z.int().check(z.positive());
const nonNegative = z.number().check(z.nonnegative());
const port = z.int().check(z.minimum(0), z.maximum(65535));
const relativeKey = z.string().check(
  z.minLength(1),
  z.refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), 'a relative path without ".."'),
);
const nonEmpty = () => z.string().check(z.minLength(1));

export const tableSchema = z.strictObject({
  kind: z.enum(['sentences', 'embeddings', 'dimension', 'facts', 'index']),
  s3_key: relativeKey,
  local_path: relativeKey,
  lambda_source: z._default(z.enum(['s3', 'package']), 's3'),
  embedding_model: z.optional(z.string()),
});

export const embeddingModelSchema = z.strictObject({
  model_id: nonEmpty(),
  provider: z.enum(['titan', 'cohere']),
  dimensions: positiveInt,
  batch_size: positiveInt,
  max_input_chars: positiveInt,
  document_input_type: z.optional(z.string()),
  query_input_type: z.optional(z.string()),
  cost_per_1k_tokens: z._default(nonNegative, 0),
});

export const servingModelSchema = z.strictObject({
  model_id: nonEmpty(),
  max_tokens: positiveInt,
  temperature: z.number().check(z.minimum(0), z.maximum(1)),
  top_p: z.number().check(z.gt(0), z.maximum(1)),
  cost_per_1k_input: nonNegative,
  cost_per_1k_output: nonNegative,
  context_window: positiveInt,
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  project: nonEmpty(),
  s3: z.strictObject({
    bucket: z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)')),
    region: nonEmpty(),
    data_prefix: z.string(),
    artifacts_prefix: z.string(),
  }),
  tables: z.record(z.string(), tableSchema),
  embedding: z.strictObject({
    default: z.string(),
    models: z.record(z.string(), embeddingModelSchema),
  }),
  retrieval: z.strictObject({
    top_k: z.int().check(z.positive(), z.maximum(200)),
    min_similarity: z.number().check(z.minimum(-1), z.maximum(1)),
    window_size: z.int().check(z.minimum(0), z.maximum(20)),
    max_context_blocks: positiveInt,
    candidate_multiplier: z._default(positiveInt, 4),
    global_pass: z._default(z.boolean(), true),
    fusion: z._default(z.enum(['rrf', 'vector', 'lexical']), 'rrf'),
    rrf_k: z._default(positiveInt, 60),
    lexical: z._default(
      z.strictObject({ enabled: z._default(z.boolean(), true), k1: z._default(nonNegative, 1.2), b: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.75) }),
      { enabled: true, k1: 1.2, b: 0.75 },
    ),
  }),
  serving_models: z.strictObject({
    default: z.string(),
    models: z.record(z.string(), servingModelSchema),
  }),
  cache: z.strictObject({
    local_dir: nonEmpty(),
    lambda_dir_name: z.string().check(z.regex(/^[A-Za-z0-9._-]+$/, 'a directory name (letters, digits, . _ -)')),
    budget_bytes: z._default(z.nullable(positiveInt), null),
    headroom_bytes: z._default(z.int().check(z.nonnegative()), 64 * 1024 * 1024),
    download_concurrency: z._default(z.int().check(z.positive(), z.maximum(64)), 4),
    download_part_bytes: z._default(z.int().check(z.positive(), z.minimum(1024 * 1024)), 16 * 1024 * 1024),
  }),
  registry: z.strictObject({
    table_name: z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)')),
    max_upload_bytes: positiveInt,
    max_ingest_bytes: positiveInt,
    inline_download_max_bytes: positiveInt,
    min_net_score: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.5),
    // Registry policy (docs/registry.md). Defaults keep older configs valid.
    gate_uploads: z._default(z.boolean(), false),
    auth: z.prefault(
      z.strictObject({
        mode: z._default(z.enum(['required', 'off']), 'off'),
        admin_user: z._default(nonEmpty(), 'ece30861defaultadminuser'),
        admin_password: z.optional(z.string()),
        token_ttl_seconds: z._default(positiveInt, 36000),
        token_max_uses: z._default(positiveInt, 1000),
      }),
      {},
    ),
    ingest: z.prefault(
      z.strictObject({
        allow_hosts: z._default(z.array(nonEmpty()), []),
        s3_buckets: z._default(z.array(z.string().check(z.minLength(3))), []),
        timeout_ms: z._default(positiveInt, 60000),
        max_redirects: z._default(z.int().check(z.minimum(0), z.maximum(20)), 5),
        lease_seconds: z._default(positiveInt, 900),
      }),
      {},
    ),
    search: z.prefault(z.strictObject({ budget_ms: z._default(positiveInt, 2000), max_chars: z._default(positiveInt, 8_000_000) }), {}),
  }),
  local: z.strictObject({
    host: z._default(z.string(), '127.0.0.1'),
    data_dir: z._default(z.string(), '.larder'),
    ports: z.strictObject({ s3: port, dynamodb: port, bedrock: port, api: port, lambda: port }),
  }),
});

export type RawConfig = z.infer<typeof configSchema>;
export type TableConfig = z.infer<typeof tableSchema>;
export type EmbeddingModelConfig = z.infer<typeof embeddingModelSchema>;
export type ServingModelConfig = z.infer<typeof servingModelSchema>;
