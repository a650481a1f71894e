/**
 * `larder services`: S3, DynamoDB and Bedrock Runtime on 127.0.0.1 in the foreground, until Ctrl-C
 * or SIGTERM. Owns the data folder's stack: prints the endpoints and records them in
 * <data dir>/endpoints.json and services.env (removed again on stop), where every other command
 * (start, start-api, invoke, seed, …, in any terminal) finds and attaches to them. A second
 * `larder services` on the same folder fails with the owner's pid; scripts/sam-env.ts derives
 * SAM's --env-vars file from the record.
 */
import { loadConfig } from '../../config';
import type { ServiceName } from '../../local/services';
import { endpointsOf, resolveServices } from '../../local/serviceEndpoints';
import { parseServicesFlag } from '../../local/provision';
import { defineCommand } from '../command';
import { parsePort } from '../ports';

const LABEL: Record<ServiceName, string> = { s3: 'S3', dynamodb: 'DynamoDB', bedrock: 'Bedrock Runtime' };

export default defineCommand({
  meta: { name: 'services', description: 'Start local S3, DynamoDB and Bedrock endpoints in the foreground (Ctrl-C stops them)' },
  args: {
    'port-s3': { type: 'string', description: 'S3 port (0 = a free port; default from ml_config.yaml local.ports)' },
    'port-dynamodb': { type: 'string', description: 'DynamoDB port (0 = a free port)' },
    'port-bedrock': { type: 'string', description: 'Bedrock Runtime port (0 = a free port)' },
    services: { type: 'string', description: 'Which services: all, or a list like s3,dynamodb', default: 'all' },
    persist: { type: 'boolean', description: 'Keep DynamoDB tables on disk in <data dir>/dynamodb (default: in memory)', default: false },
    'data-dir': { type: 'string', description: 'State directory: S3 objects, DynamoDB tables, endpoint files (default: local.data_dir)' },
    host: { type: 'string', description: 'Address to listen on (default: local.host, 127.0.0.1)' },
    config: { type: 'string', description: 'Path of ml_config.yaml' },
  },
  async run({ args, untilSignal }) {
    const config = loadConfig(args.config);
    const ports: Partial<Record<ServiceName, number>> = {};
    for (const name of ['s3', 'dynamodb', 'bedrock'] as const) {
      const value = args[`port-${name}`];
      if (value !== undefined) ports[name] = parsePort(value, `--port-${name}`);
    }
    const need = parseServicesFlag(args.services) ?? ['s3', 'dynamodb', 'bedrock'];
    const stack = await resolveServices({
      config,
      need,
      command: 'services',
      exclusive: true,
      hostEnv: {},
      ports,
      dataDir: args['data-dir'],
      persist: args.persist,
      host: args.host,
      buckets: need.includes('s3') ? [config.s3.bucket] : [],
      quiet: true,
    });
    try {
      const endpoints = endpointsOf(stack.env);
      const envFile = stack.files?.[1] ?? '';
      const lines = ['Larder local services are running (any AWS credentials work):'];
      for (const s of need) {
        const extra = s === 's3' ? `   (bucket ${config.s3.bucket} exists)` : s === 'dynamodb' ? `   (${stack.unavailable.dynamodb ? 'NOT RUNNING: Java 17+ missing, answers 503' : args.persist ? 'tables on disk' : 'in memory'})` : '';
        lines.push(`  ${LABEL[s].padEnd(16)} ${endpoints[s]}${extra}`);
      }
      lines.push(
        '',
        `Recorded in ${stack.files?.[0]} — other larder commands attach to these services.`,
        `Use them from a shell:  set -a; . ${envFile}; set +a`,
        ...(endpoints.s3 ? [`  aws s3 ls s3://${config.s3.bucket} --endpoint-url ${endpoints.s3}      (aws CLI v1 and v2)`] : []),
        ...(endpoints.dynamodb ? [`  aws dynamodb list-tables --endpoint-url ${endpoints.dynamodb}`] : []),
        'Faults:    POST <endpoint>/__larder/faults  {"failNext": 2, "status": 503}   GET <endpoint>/__larder/stats',
        'Ctrl-C stops everything.',
      );
      for (const reason of Object.values(stack.unavailable)) lines.push('', `Note: ${reason}`);
      console.log(lines.join('\n'));
      const signal = await untilSignal();
      console.log(`\n${signal}: stopping the local services…`);
    } finally {
      await stack.stop();
    }
    console.log('Stopped.');
  },
});
