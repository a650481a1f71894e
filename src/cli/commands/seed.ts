/**
 * larder seed: build data_cache/ if it is not current, then upload its tables to the configured
 * bucket — the local S3: AWS_ENDPOINT_URL_S3, else the running stack (.larder/endpoints.json, e.g.
 * of `npm start` in another terminal), else a local S3 started just for this upload (its objects stay
 * on disk in .larder/s3, where the next `larder start` finds them) — unless --aws says to use the
 * real endpoint. Objects already there with the same ETag and size are skipped.
 */
import { defineCommand } from '../command';
import { createS3Client } from '../../aws';
import { loadConfig, type LarderConfig } from '../../config';
import { resolveServices, type ResolvedServices } from '../../local/serviceEndpoints';
import { ensureDataCache } from '../localDataset';
import { seedBucket } from '../../loader/seed';

export default defineCommand({
  meta: { name: 'seed', description: 'upload the data_cache/ tables to the bucket (local S3 by default)', usage: 'seed [--dir <data dir>] [--aws] [--no-build]' },
  args: {
    dir: { type: 'string', description: 'directory holding the tables (default: data_cache/, built first if needed)' },
    aws: { type: 'boolean', description: 'upload to the S3 endpoint of the environment (real AWS unless AWS_ENDPOINT_URL_S3 is set) instead of the local S3', default: false },
    'no-build': { type: 'boolean', description: 'do not build data_cache/ first', default: false },
    'data-dir': { type: 'string', description: 'the local services\' folder (default: local.data_dir, .larder)' },
    config: { type: 'string', description: 'path of ml_config.yaml' },
  },
  async run({ args }) {
    let config = loadConfig(args.config);
    let services: ResolvedServices | undefined;
    if (!config.overrides.endpoints.s3 && !args.aws) {
      services = await resolveServices({ config, need: ['s3'], command: 'seed', dataDir: args['data-dir'], buckets: [config.s3.bucket], quiet: true });
      for (const note of services.notes) console.error(`[larder] services: ${note}`);
      config = loadConfig(args.config, { ...process.env, ...services.env });
    }
    try {
      await seed(config, args);
    } finally {
      await services?.stop();
    }
    return 0;
  },
});

async function seed(config: LarderConfig, args: { dir?: string; 'no-build': boolean }): Promise<void> {
  if (!args.dir && !args['no-build']) await ensureDataCache(config);
  const s3 = createS3Client(config);
  const r = await seedBucket(config, s3, { sourceDir: args.dir });
  const where = config.overrides.endpoints.s3 ?? 'AWS';
  console.log(`seeded s3://${r.bucket} at ${where}: ${r.uploaded.length} uploaded, ${r.skipped.length} already current`);
  for (const t of r.uploaded) console.log(`  ↑ ${t.table.padEnd(22)} ${(t.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${t.key}`);
  for (const t of r.skipped) console.log(`  = ${t.table.padEnd(22)} ${(t.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${t.key}`);
  for (const t of r.missing) console.log(`  · ${t.table.padEnd(22)} not built (${t.path})`);
}
