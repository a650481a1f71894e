/**
 * What a sandbox needs beyond its environment variables to look like Lambda's Node runtime: its
 * layers mounted at /opt, the module search path (NODE_PATH as Lambda sets it, and the real folders
 * behind it), the runtime's AWS SDK, and the folders that stand in for /var/lang/bin and /opt/bin on
 * PATH. The emulator calls this once per sandbox start.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionDefinition, LoadedTemplate } from './template';
import { lambdaNodePath, resolveLayers, type LayerMap, type LayerMount } from './layers';
import { ensureRuntimeModulesDir } from './runtimeModules';

export interface SandboxRuntime {
  layers: LayerMount[];
  /** node_modules folders an ES module's bare import falls back to (CommonJS uses nodePath). */
  runtimeModulesDirs: string[];
  nodePath: string[];
  displayNodePath: string;
  layerBinDirs: string[];
  warnings: string[];
}

export function prepareSandboxRuntime(options: {
  template: LoadedTemplate;
  fn: FunctionDefinition;
  taskRoot: string;
  sandboxRoot: string;
  nodeMajor: number;
  layerMap?: LayerMap;
}): SandboxRuntime {
  const { layers, warnings } = resolveLayers(options.template, options.fn, options.layerMap);
  const runtimeDir = ensureRuntimeModulesDir(options.sandboxRoot);
  const { display, real } = lambdaNodePath(layers, options.nodeMajor, runtimeDir, options.taskRoot);
  return {
    layers,
    runtimeModulesDirs: real.filter((d) => d.endsWith('node_modules')),
    nodePath: real,
    displayNodePath: display,
    layerBinDirs: layers.filter((l) => l.mount === '/opt').map((l) => join(l.dir, 'bin')).filter((d) => existsSync(d)),
    warnings,
  };
}
