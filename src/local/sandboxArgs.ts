/**
 * The emulator commands' options for the sandbox runtime (`invoke`, `start-api`, `start-lambda`,
 * `start`): `--debug-port` (Node inspector, like `sam local invoke -d`), `--layer-map` (a local folder
 * for a layer ARN), `--no-hot-reload`. Kept here so the shared option table only spreads them in.
 */
import type { ArgSpec } from '../cli/command';
import { LarderError } from '../errors';
import { parseLayerMap, type LayerMap } from './layers';

export const sandboxArgs = {
  'debug-port': { type: 'string', alias: 'd', description: 'Open the Node inspector in the sandbox on this port (attach a debugger to 127.0.0.1:PORT), like sam local -d' },
  'layer-map': { type: 'string', description: 'Local folders for layer ARNs the template cannot provide offline: "ARN=DIR ARN2=DIR2"' },
  'no-hot-reload': { type: 'boolean', description: 'Keep warm sandboxes after their code changes on disk (default: a changed file is picked up on the next call)', default: false },
} satisfies Record<string, ArgSpec>;

export function parseSandboxArgs(args: { 'debug-port'?: string; 'layer-map'?: string; 'no-hot-reload'?: boolean }): { debugPort?: number; layerMap?: LayerMap; hotReload: boolean } {
  let debugPort: number | undefined;
  if (args['debug-port'] !== undefined && args['debug-port'] !== '') {
    debugPort = Number(args['debug-port']);
    if (!Number.isInteger(debugPort) || debugPort < 1 || debugPort > 65535) throw new LarderError('VALIDATION', `--debug-port: expected a port 1–65535, found "${args['debug-port']}"`);
  }
  return { debugPort, layerMap: parseLayerMap(args['layer-map']), hotReload: !args['no-hot-reload'] };
}
