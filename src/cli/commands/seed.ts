/**
 * larder seed: build data_cache/ if it is not current, then upload its tables to the configured
 * bucket — the local S3 of `larder services` (AWS_ENDPOINT_URL_S3 or .larder/endpoints.json) unless
 * --aws says to use the real endpoint. Objects already there with the same ETag and size are skipped.
 */
import { defineCommand } from '../command';
import { createS3Client } from '../../aws';
import { loadConfig } from '../../config';
import { LarderError } from '../../errors';
import { resolveServices } from '../../local/serviceEndpoints';
import { ensureDataCache } from '../localDataset';
import { seedBucket } from '../../loader/seed';

export default defineCommand({
  meta: { name: 'seed', description: 'upload the data_cache/ tables to the bucket (local S3 by default)', usage: 'seed [--dir <data dir>] [--aws] [--no-build]' },
  args: {
    dir: { type: 'string', description: 'directory holding the tables (default: data_cache/, built first if needed)' },
    aws: { type: 'boolean', description: 'upload to the S3 endpoint of the environment even when no local endpoint is known', default: false },
    'no-build': { type: 'boolean', description: 'do not build data_cache/ first', default: false },
    config: { type: 'string', description: 'path of ml_config.yaml' },
  },
  async run({ args }) {
    let config = loadConfig(args.config);
    if (!config.overrides.endpoints.s3 && !args.aws) {
      const services = await resolveServices({ config, start: false });
      if (!services.env.AWS_ENDPOINT_URL_S3) {
        throw new LarderError('CONFIG_INVALID', 'no local S3 endpoint: start "larder services" first (or set AWS_ENDPOINT_URL_S3, or pass --aws to upload to real S3)');
      }
      config = loadConfig(args.config, { ...process.env, ...services.env });
    }
    if (!args.dir && !args['no-build']) await ensureDataCache(config);
    const s3 = createS3Client(config);
    const r = await seedBucket(config, s3, { sourceDir: args.dir });
    const where = config.overrides.endpoints.s3 ?? 'AWS';
    console.log(`seeded s3://${r.bucket} at ${where}: ${r.uploaded.length} uploaded, ${r.skipped.length} already current`);
    for (const t of r.uploaded) console.log(`  ↑ ${t.table.padEnd(22)} ${(t.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${t.key}`);
    for (const t of r.skipped) console.log(`  = ${t.table.padEnd(22)} ${(t.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB  ${t.key}`);
    for (const t of r.missing) console.log(`  · ${t.table.padEnd(22)} not built (${t.path})`);
    return 0;
  },
});
