/**
 * `larder start-lambda [--port 3001]` — Lambda's Invoke API for every function in the template, like
 * `sam local start-lambda`: point LambdaClient or `aws lambda invoke --endpoint-url` at it.
 */
import { defineCommand } from '../command';
import { createLocalRuntime } from '../../local/localRuntime';
import { runtimeArgs } from '../runtimeArgs';
import { ensurePortsFree, parsePort } from '../ports';
import { awsLambdaInvokeHint, exampleEventFile } from '../exampleEvent';

export default defineCommand({
  meta: { name: 'start-lambda', description: 'Serve the Lambda Invoke API for the template\'s functions (no Docker)' },
  args: {
    port: { type: 'string', alias: 'p', description: 'Port', default: '3001' },
    host: { type: 'string', description: 'Address to listen on (the local services too)', default: '127.0.0.1' },
    ...runtimeArgs,
  },
  async run({ args, untilSignal }) {
    const port = parsePort(args.port, '--port');
    await ensurePortsFree([{ port, host: args.host!, what: 'the Lambda Invoke API', flag: '--port' }]);
    const runtime = await createLocalRuntime(args, { lambdaPort: port, lambdaHost: args.host, command: 'start-lambda', servicesHost: args.host });
    try {
      const url = runtime.lambdaEndpoint!.url;
      const first = runtime.template.functions[0];
      console.log(`Lambda Invoke API on ${url} for ${runtime.template.functions.map((f) => f.logicalId).join(', ')}`);
      if (first) console.log(`  ${awsLambdaInvokeHint(url, first.functionName, exampleEventFile(runtime.template.dir, first.logicalId))}`);
      console.log('Ctrl-C to stop.');
      await untilSignal();
    } finally {
      await runtime.stop();
    }
  },
});
