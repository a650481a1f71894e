/**
 * `larder start-api [--port 3000]` — the template's Api events over HTTP, like `sam local start-api`
 * but with warm sandboxes. A Lambda Invoke endpoint runs beside it (--lambda-port) so handlers can
 * invoke other functions asynchronously.
 */
import { defineCommand } from '../command';
import { createLocalRuntime } from '../../local/localRuntime';
import { startApiServer } from '../../local/apiServer';
import { runtimeArgs } from '../runtimeArgs';
import { ensurePortsFree, parsePort } from '../ports';

export default defineCommand({
  meta: { name: 'start-api', description: 'Serve the template\'s REST and HTTP APIs and Function URLs over HTTP (no Docker)' },
  args: {
    port: { type: 'string', alias: 'p', description: 'Port', default: '3000' },
    host: { type: 'string', description: 'Address to listen on (the local services too)', default: '127.0.0.1' },
    'lambda-port': { type: 'string', description: 'Port of the Lambda Invoke endpoint beside the API (0: any free port)', default: '0' },
    'function-url-port': { type: 'string', description: 'First port of the Function URLs (one per function with FunctionUrlConfig; 0: free ports)', default: '0' },
    'no-schedules': { type: 'boolean', description: 'Do not run the template\'s Schedule/ScheduleV2 events', default: false },
    ...runtimeArgs,
  },
  async run({ args, untilSignal }) {
    const port = parsePort(args.port, '--port');
    const lambdaPort = parsePort(args['lambda-port'], '--lambda-port');
    await ensurePortsFree([
      { port, host: args.host!, what: 'the API', flag: '--port' },
      { port: lambdaPort, host: args.host!, what: 'the Lambda Invoke API', flag: '--lambda-port' },
    ]);
    const runtime = await createLocalRuntime(args, { lambdaPort, lambdaHost: args.host, command: 'start-api', servicesHost: args.host, schedules: !args['no-schedules'] });
    try {
      const api = await startApiServer({ emulator: runtime.emulator, host: args.host, port, functionUrlPort: parsePort(args['function-url-port'], '--function-url-port') });
      console.log(`API on ${api.url}`);
      for (const r of api.routes) console.log(`  ${r.method.padEnd(7)} ${api.url}${r.resource}  → ${r.fn.logicalId} (${r.kind}${r.authorizer ? `, auth ${r.authorizer.name}` : ''})`);
      for (const u of api.functionUrls) console.log(`  Function URL ${u.url}/  → ${u.logicalId} (${u.invokeMode})`);
      console.log(`Lambda Invoke API on ${runtime.lambdaEndpoint!.url}`);
      console.log('Ctrl-C to stop.');
      await untilSignal();
      await api.close();
    } finally {
      await runtime.stop();
    }
  },
});

