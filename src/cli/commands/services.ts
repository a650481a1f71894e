/**
 * `larder services`: S3, DynamoDB and Bedrock Runtime on 127.0.0.1 in the foreground, until Ctrl-C
 * or SIGTERM. Prints the endpoints and writes them to <data dir>/endpoints.json and services.env
 * (removed again on stop) so other commands and shells can use them; scripts/sam-env.ts derives
 * SAM's --env-vars file from them.
 */
import { loadConfig } from '../../config';
import { ValidationError } from '../../errors';
import { startLocalServices, type ServiceName } from '../../local/services';
import { removeEndpointFiles, writeEndpointFiles } from '../../local/services/endpointsFile';
import { defineCommand } from '../command';

export default defineCommand({
  meta: { name: 'services', description: 'Start local S3, DynamoDB and Bedrock endpoints in the foreground (Ctrl-C stops them)' },
  args: {
    'port-s3': { type: 'string', description: 'S3 port (0 = a free port; default from ml_config.yaml local.ports)' },
    'port-dynamodb': { type: 'string', description: 'DynamoDB port (0 = a free port)' },
    'port-bedrock': { type: 'string', description: 'Bedrock Runtime port (0 = a free port)' },
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
      if (value !== undefined) ports[name] = parsePort(`--port-${name}`, value);
    }
    const services = await startLocalServices({
      config,
      ports,
      dataDir: args['data-dir'],
      persist: args.persist,
      host: args.host,
      buckets: [config.s3.bucket],
      quiet: true,
    });
    let files: string[] = [];
    try {
      files = writeEndpointFiles(services.dataDir, { endpoints: services.endpoints, env: services.env });
      console.log(
        [
          'Larder local services are running:',
          `  S3               ${services.endpoints.s3}   (bucket ${config.s3.bucket} exists)`,
          `  DynamoDB         ${services.endpoints.dynamodb}   (${args.persist ? 'tables on disk' : 'in memory'})`,
          `  Bedrock Runtime  ${services.endpoints.bedrock}`,
          '',
          `Endpoints: ${files.join(', ')}`,
          `Use them:  set -a; . ${files[1]}; set +a`,
          'Faults:    POST <endpoint>/__larder/faults  {"failNext": 2, "status": 503}   GET <endpoint>/__larder/stats',
          'Ctrl-C stops everything.',
        ].join('\n'),
      );
      const signal = await untilSignal();
      console.log(`\n${signal}: stopping the local services…`);
    } finally {
      removeEndpointFiles(services.dataDir);
      await services.stop();
    }
    console.log('Stopped.');
  },
});

function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError(`${flag}: expected a port number 0–65535, found "${value}"`);
  return port;
}
