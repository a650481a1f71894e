/**
 * Writes the `--env-vars` file for `sam local` against the local services and prints its path (the
 * scripts/sam-*.sh use it). With a running `larder services` (its .larder/endpoints.json), the file
 * has that run's ports, hosts rewritten to host.docker.internal: <data dir>/sam-env.docker.json.
 * Without one, it prints lambda_assets/env.json (fixed ports) and says how to start the services on them.
 *
 *   node --import tsx scripts/sam-env.ts [--template PATH] [--data-dir DIR] [--out FILE] [--lambda-port 3001]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { loadTemplate, DEFAULT_TEMPLATE } from '../src/local/template';
import { readEndpointsFile } from '../src/local/services/endpointsFile';
import { DOCKER_HOST_ALIAS, SAM_FIXED_PORTS, isLoopbackOnly, samEnvVars } from '../src/local/samEnv';

const SAM_DOCKER_ENV_FILE = 'sam-env.docker.json';

const { values } = parseArgs({
  options: {
    template: { type: 'string', default: DEFAULT_TEMPLATE },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
    'lambda-port': { type: 'string', default: String(SAM_FIXED_PORTS.lambda) },
    'log-level': { type: 'string', default: 'info' },
  },
});

const rootDir = resolve(import.meta.dirname, '..');
try {
  const config = loadConfig(resolve(rootDir, 'ml_config.yaml'));
  const dataDir = resolve(values['data-dir'] ?? resolve(rootDir, config.local.data_dir));
  const running = readEndpointsFile(dataDir);
  if (!running) {
    console.error(
      `sam-env: no running \`larder services\` in ${dataDir}; using lambda_assets/env.json, which expects them on fixed ports:\n` +
        `  npx larder services --host 0.0.0.0 --port-s3 ${SAM_FIXED_PORTS.s3} --port-dynamodb ${SAM_FIXED_PORTS.dynamodb} --port-bedrock ${SAM_FIXED_PORTS.bedrock}`,
    );
    console.log(resolve(rootDir, 'lambda_assets/env.json'));
  } else {
    const lambdaPort = Number(values['lambda-port']);
    if (!Number.isInteger(lambdaPort) || lambdaPort <= 0 || lambdaPort > 65535) throw new Error(`--lambda-port: expected a port number, found "${values['lambda-port']}"`);
    const { s3 = '', dynamodb = '', bedrock = '' } = running.endpoints;
    const file = samEnvVars(loadTemplate(resolve(values.template!)), { s3, dynamodb, bedrock, lambda: `http://${DOCKER_HOST_ALIAS}:${lambdaPort}` }, { logLevel: values['log-level'] });
    const out = resolve(values.out ?? resolve(dataDir, SAM_DOCKER_ENV_FILE));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n');
    if ([s3, dynamodb, bedrock].some(isLoopbackOnly) && process.platform === 'linux') {
      console.error(
        'sam-env: the running services listen on loopback only, which SAM\'s containers cannot reach on Linux; ' +
          'restart them with `npx larder services --host 0.0.0.0`.',
      );
    }
    console.log(out);
  }
} catch (err) {
  console.error(`sam-env: ${(err as Error).message}`);
  process.exitCode = 1;
}
