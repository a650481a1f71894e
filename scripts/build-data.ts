/**
 * npm run build:data [-- options]
 *
 *   (no options)           build data_cache/ from ../shared/data/finsights (skipped when current)
 *   --source <dir>         the FinSights snapshot directory
 *   --out <dir>            output directory (default: cache.local_dir from ml_config.yaml)
 *   --models a,b           embedding model keys to build (default: embedding.default; "all" = every model)
 *   --force                rebuild even when manifest.json says the cache is current
 *   --synthetic <N>        a clustered synthetic corpus of N rows instead (default out: <tmpdir>/larder-synthetic-N)
 *
 * Embeddings go through BedrockRuntimeClient: AWS_ENDPOINT_URL_BEDROCK_RUNTIME when set (real Bedrock
 * or `larder services`), else a Bedrock emulator started in this process.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { buildDataCache } from '../src/cli/localDataset';
import { buildSyntheticCache } from '../src/dataset/synthetic';
import { describeError } from '../src/errors';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      out: { type: 'string' },
      models: { type: 'string' },
      force: { type: 'boolean', default: false },
      synthetic: { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig(values.config);
  if (values.synthetic) {
    const rows = Number(values.synthetic);
    if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--synthetic: expected a positive row count, found "${values.synthetic}"`);
    const r = await buildSyntheticCache(config, { rows, outDir: values.out, sourceDir: values.source });
    console.log(`synthetic data cache (${rows} rows): ${r.outDir}`);
    return 0;
  }
  const models = values.models === 'all' ? Object.keys(config.embedding.models) : values.models?.split(',').map((m) => m.trim()).filter(Boolean);
  const r = await buildDataCache(config, { sourceDir: values.source, outDir: values.out, models, force: values.force });
  console.log(r.skipped ? `data cache is up to date: ${r.outDir}` : `data cache built in ${r.manifest.seconds}s: ${r.outDir}`);
  for (const [name, t] of Object.entries(r.manifest.tables)) console.log(`  ${name.padEnd(22)} ${String(t.rows).padStart(7)} rows  ${(t.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${t.path}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`build:data failed: ${describeError(err)}`);
    process.exit(1);
  },
);
