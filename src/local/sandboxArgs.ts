/**
 * The emulator commands' options for the sandbox runtime (`invoke`, `start-api`, `start-lambda`,
 * `start`): `--debug-port` (Node inspector, like `sam local invoke -d`), `--layer-map` (a local folder
 * for a layer ARN), `--no-hot-reload`. Their flag specs live with the CLI (src/cli/runtimeArgs.ts); this parses the values.
 */
import { LarderError } from '../errors';
import { parseLayerMap, type LayerMap } from './layers';

export function parseSandboxArgs(args: { 'debug-port'?: string; 'layer-map'?: string; 'no-hot-reload'?: boolean }): { debugPort?: number; layerMap?: LayerMap; hotReload: boolean } {
  let debugPort: number | undefined;
  if (args['debug-port'] !== undefined && args['debug-port'] !== '') {
    debugPort = Number(args['debug-port']);
    if (!Number.isInteger(debugPort) || debugPort < 1 || debugPort > 65535) throw new LarderError('VALIDATION', `--debug-port: expected a port 1–65535, found "${args['debug-port']}"`);
  }
  return { debugPort, layerMap: parseLayerMap(args['layer-map']), hotReload: !args['no-hot-reload'] };
}
