/**
 * `larder start` (`npm start`): everything offline in one command — local S3, DynamoDB and Bedrock,
 * data_cache/ built if stale and seeded into the local bucket, the registry table, the template's API
 * for all functions (start-api) and the Lambda Invoke API (start-lambda) — then example requests.
 * Ctrl-C stops the servers, the sandboxes and the services.
 */
import { defineCommand } from '../command';
import { createLocalRuntime, runtimeArgs } from '../../local/localRuntime';
import { startApiServer } from '../../local/apiServer';
import { prepareLocalData } from '../../local/localData';
import { loadConfig } from '../../config';
import { checkPort } from './start-api';

export default defineCommand({
  meta: { name: 'start', description: 'Run everything offline: local services, seeded data, the API for all functions, the Lambda Invoke API' },
  args: {
    port: { type: 'string', alias: 'p', description: 'API port (default: local.ports.api in ml_config.yaml)' },
    'lambda-port': { type: 'string', description: 'Lambda Invoke API port (default: local.ports.lambda)' },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1' },
    'skip-data': { type: 'boolean', description: 'Do not build or seed the data cache', default: false },
    'no-schedules': { type: 'boolean', description: 'Do not run the template\'s Schedule/ScheduleV2 events', default: false },
    ...runtimeArgs,
  },
  async run({ args, untilSignal }) {
    const config = loadConfig();
    const apiPort = checkPort(args.port ?? String(config.local.ports.api), '--port');
    const lambdaPort = checkPort(args['lambda-port'] ?? String(config.local.ports.lambda), '--lambda-port');
    console.log('Starting local services…');
    const runtime = await createLocalRuntime(args, { lambdaPort, lambdaHost: args.host, quietServices: true, schedules: !args['no-schedules'] });
    try {
      const env = runtime.services.env;
      console.log(`  S3 ${env.AWS_ENDPOINT_URL_S3 ?? '(none)'}  DynamoDB ${env.AWS_ENDPOINT_URL_DYNAMODB ?? '(none)'}  Bedrock ${env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? '(none)'}`);
      if (!args['skip-data']) {
        console.log('Preparing data…');
        await prepareLocalData(env, (line) => console.log(line));
      }
      const api = await startApiServer({ emulator: runtime.emulator, host: args.host, port: apiPort });
      console.log(`\nAPI on ${api.url} (${api.routes.length} routes: ${[...new Set(api.routes.map((r) => r.fn.logicalId))].join(', ')})`);
      console.log(`Lambda Invoke API on ${runtime.lambdaEndpoint!.url}`);
      console.log('\nTry:');
      console.log(`  curl -s -X POST ${api.url}/query -H 'Content-Type: application/json' \\\n       -d '{"question": "What supply chain risks did NVIDIA describe in its 10-K?"}'`);
      console.log(`  curl -s -X POST ${api.url}/artifact/model -F file=@lambda_assets/samples/demo-model-card.md -F name=demo-10k-risk-classifier`);
      console.log(`  curl -s ${api.url}/health`);
      console.log(`  aws lambda invoke --endpoint-url ${runtime.lambdaEndpoint!.url} --function-name DataLoaderTestFunction \\\n       --payload file://test_events/data_loader.json out.json`);
      console.log('\nFunction logs and REPORT lines follow. Ctrl-C to stop.');
      await untilSignal();
      console.log('\nStopping…');
      await api.close();
    } finally {
      await runtime.stop();
    }
  },
});
