/**
 * `larder start` (`npm start`): everything offline in one command — local S3, DynamoDB and Bedrock,
 * data_cache/ built if stale and seeded into the local bucket, the registry table, the template's API
 * for all functions (start-api) and the Lambda Invoke API (start-lambda) — then example requests.
 * The services are recorded in .larder/endpoints.json, so `larder invoke`, `seed`, … in another
 * terminal use them. Ctrl-C stops the servers, the sandboxes and the services.
 */
import { defineCommand } from '../command';
import { createLocalRuntime, isLarderTemplate } from '../../local/localRuntime';
import { startApiServer } from '../../local/apiServer';
import { prepareLocalData } from '../../local/localData';
import { loadConfig } from '../../config';
import { runtimeArgs } from '../runtimeArgs';
import { ensurePortsFree, parsePort } from '../ports';
import { awsLambdaInvokeHint, exampleEventFile } from '../exampleEvent';

export default defineCommand({
  meta: { name: 'start', description: 'Run everything offline: local services, seeded data, the API for all functions, the Lambda Invoke API' },
  args: {
    port: { type: 'string', alias: 'p', description: 'API port (default: local.ports.api in ml_config.yaml)' },
    'lambda-port': { type: 'string', description: 'Lambda Invoke API port (default: local.ports.lambda)' },
    host: { type: 'string', description: 'Address to listen on (the local services too)', default: '127.0.0.1' },
    'skip-data': { type: 'boolean', description: 'Do not build or seed the data cache', default: false },
    'no-schedules': { type: 'boolean', description: 'Do not run the template\'s Schedule/ScheduleV2 events', default: false },
    ...runtimeArgs,
  },
  async run({ args, untilSignal }) {
    const config = loadConfig();
    const apiPort = parsePort(args.port ?? String(config.local.ports.api), '--port');
    const lambdaPort = parsePort(args['lambda-port'] ?? String(config.local.ports.lambda), '--lambda-port');
    await ensurePortsFree([
      { port: apiPort, host: args.host!, what: 'the API', flag: '--port' },
      { port: lambdaPort, host: args.host!, what: 'the Lambda Invoke API', flag: '--lambda-port' },
    ]);
    console.log('Starting local services…');
    const runtime = await createLocalRuntime(args, { lambdaPort, lambdaHost: args.host, quietServices: true, command: 'start', servicesHost: args.host, schedules: !args['no-schedules'] });
    try {
      const env = runtime.services.env;
      const own = isLarderTemplate(runtime.template, config);
      console.log(`  S3 ${env.AWS_ENDPOINT_URL_S3 ?? '(none)'}  DynamoDB ${env.AWS_ENDPOINT_URL_DYNAMODB ?? '(none)'}  Bedrock ${env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? '(none)'}  (any AWS credentials work)`);
      if (own && !args['skip-data']) {
        console.log('Preparing data…');
        await prepareLocalData(env, (line) => console.log(line));
      }
      const api = await startApiServer({ emulator: runtime.emulator, host: args.host, port: apiPort });
      console.log(`\nAPI on ${api.url} (${api.routes.length} routes: ${[...new Set(api.routes.map((r) => r.fn.logicalId))].join(', ')})`);
      console.log(`Lambda Invoke API on ${runtime.lambdaEndpoint!.url}`);
      console.log('\nTry:');
      if (own) {
        console.log(`  curl -s -X POST ${api.url}/query -H 'Content-Type: application/json' \\\n       -d '{"question": "What supply chain risks did NVIDIA describe in its 10-K?"}'`);
        const auth = config.registry.auth;
        if (auth.mode === 'required') {
          // Access control is on locally: every registry route but /health, /tracks and /authenticate needs a token.
          const password = config.overrides.adminPassword ? `'"$LARDER_ADMIN_PASSWORD"'` : auth.admin_password ? '<registry.auth.admin_password in ml_config.yaml>' : '<set registry.auth.admin_password or LARDER_ADMIN_PASSWORD first>';
          console.log(`  # the registry requires X-Authorization (registry.auth.mode: required); get a token (valid ${auth.token_ttl_seconds / 3600} h or ${auth.token_max_uses} uses):`);
          console.log(`  TOKEN=$(curl -s -X PUT ${api.url}/authenticate -H 'Content-Type: application/json' \\\n       -d '{"user": {"name": "${auth.admin_user}", "is_admin": true}, "secret": {"password": "${password}"}}' | tr -d '"')`);
        }
        const authHeader = auth.mode === 'required' ? ' -H "X-Authorization: $TOKEN"' : '';
        console.log(`  curl -s -X POST ${api.url}/artifact/model${authHeader} -F file=@lambda_assets/samples/demo-model-card.md -F name=demo-10k-risk-classifier`);
        console.log(`  curl -s ${api.url}/health`);
      } else {
        for (const r of api.routes.slice(0, 3)) console.log(`  curl -s -X ${r.method === 'ANY' ? 'GET' : r.method} ${api.url}${r.resource}`);
      }
      const fn = runtime.template.functions.find((f) => f.logicalId === 'DataLoaderTestFunction') ?? runtime.template.functions[0];
      if (fn) console.log(`  ${awsLambdaInvokeHint(runtime.lambdaEndpoint!.url, fn.functionName, exampleEventFile(runtime.template.dir, fn.logicalId))}`);
      if (runtime.services.source === 'started' && runtime.services.files) console.log(`\nOther terminals: larder invoke / seed / start-api attach to these services (${runtime.services.files[0]}).`);
      console.log('\nFunction logs and REPORT lines follow. Ctrl-C to stop.');
      await untilSignal();
      console.log('\nStopping…');
      await api.close();
    } finally {
      await runtime.stop();
    }
  },
});
