/**
 * `larder start-lambda [--port 3001]` — Lambda's Invoke API for every function in the template, like
 * `sam local start-lambda`: point LambdaClient or `aws lambda invoke --endpoint-url` at it.
 */
import { defineCommand } from '../command';
import { LarderError } from '../../errors';
import { createLocalRuntime, runtimeArgs } from '../../local/localRuntime';

export default defineCommand({
  meta: { name: 'start-lambda', description: 'Serve the Lambda Invoke API for the template\'s functions (no Docker)' },
  args: {
    port: { type: 'string', alias: 'p', description: 'Port', default: '3001' },
    host: { type: 'string', description: 'Address to listen on', default: '127.0.0.1' },
    ...runtimeArgs,
  },
  async run({ args, untilSignal }) {
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LarderError('VALIDATION', `--port: expected 0–65535, found "${args.port}"`);
    const runtime = await createLocalRuntime(args, { lambdaPort: port, lambdaHost: args.host });
    try {
      const url = runtime.lambdaEndpoint!.url;
      console.log(`Lambda Invoke API on ${url} for ${runtime.template.functions.map((f) => f.logicalId).join(', ')}`);
      console.log(`  aws lambda invoke --endpoint-url ${url} --function-name ${runtime.template.functions[0]?.logicalId ?? 'NAME'} --payload '{}' --cli-binary-format raw-in-base64-out out.json`);
      console.log('Ctrl-C to stop.');
      await untilSignal();
    } finally {
      await runtime.stop();
    }
  },
});
