/**
 * The options `larder invoke | start-api | start-lambda | start | demo` share (SAM's names where SAM
 * has one). They live with the CLI; src/local/localRuntime.ts takes the parsed values as a plain
 * LocalRuntimeArgs object and knows nothing of argument parsing.
 */
import type { ArgSpec } from './command';
import { DEFAULT_BUNDLE_DIR } from '../local/localRuntime';

/** The async timers' scale and the concurrency cap (parsed by src/local/trafficSettings.ts). */
const trafficArgs = {
  'time-scale': { type: 'string', description: 'Multiply Lambda\'s async timers (retry back-off, event age) and schedule intervals by this factor (0.001: a minute becomes 60 ms)', default: '1' },
  'max-concurrency': { type: 'string', description: 'Cap each function\'s concurrent invocations (429 past it); default ReservedConcurrentExecutions, else Lambda\'s 1,000' },
} satisfies Record<string, ArgSpec>;

/** The sandbox runtime's options (parsed by src/local/sandboxArgs.ts). */
const sandboxArgs = {
  'debug-port': { type: 'string', alias: 'd', description: 'Open the Node inspector in the sandbox on this port (attach a debugger to 127.0.0.1:PORT), like sam local -d' },
  'layer-map': { type: 'string', description: 'Local folders for layer ARNs the template cannot provide offline: "ARN=DIR ARN2=DIR2"' },
  'no-hot-reload': { type: 'boolean', description: 'Keep warm sandboxes after their code changes on disk (default: a changed file is picked up on the next call)', default: false },
} satisfies Record<string, ArgSpec>;

export const runtimeArgs = {
  template: { type: 'string', alias: 't', description: 'SAM template (default: template.yaml, template.yml or template.json here, else lambda_assets/template.yaml)' },
  'env-vars': { type: 'string', alias: 'n', description: 'JSON file of environment overrides in SAM\'s --env-vars format' },
  bundle: { type: 'boolean', description: 'Run the `npm run build` bundles instead of the TypeScript sources', default: false },
  'bundle-dir': { type: 'string', description: 'Where the bundles are', default: DEFAULT_BUNDLE_DIR },
  services: { type: 'string', description: 'Local services to run: auto (what the template uses; Larder\'s own template: all), all, none, or a list like s3,dynamodb', default: 'auto' },
  'no-services': { type: 'boolean', description: 'Start no local services: the functions\' SDK calls go to real AWS unless --env-vars sets endpoints', default: false },
  'data-dir': { type: 'string', description: 'The local services\' folder (S3 objects, endpoints.json); commands sharing it share one stack (default: local.data_dir, .larder)' },
  'inherit-aws-credentials': { type: 'boolean', description: 'Pass the host\'s AWS credentials into the sandboxes (off: dummy local credentials)', default: false },
  'idle-timeout': { type: 'string', description: 'Seconds an unused sandbox stays warm', default: '600' },
  region: { type: 'string', description: 'AWS region the functions see', default: 'us-east-1' },
  node: { type: 'string', description: 'Node binary for every sandbox (default: LARDER_NODE_<MAJOR> for the function\'s Runtime, else LARDER_NODE_BINARY, else this Node)' },
  'parameter-overrides': { type: 'string', description: 'Template parameters, "Name=Value Name2=Value2"' },
  'install-node': { type: 'boolean', description: 'Install the Node each function\'s Runtime names from the npm registry when missing (no prompt)', default: false },
  ...trafficArgs,
  ...sandboxArgs,
} satisfies Record<string, ArgSpec>;
