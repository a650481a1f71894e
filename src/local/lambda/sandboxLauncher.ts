/**
 * Starting one sandbox for a function: where its handler is, which Node runs it, its environment
 * and /tmp — everything the pool needs but should not know about.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionDefinition, LoadedTemplate } from '../template';
import { buildSandboxEnv, type EnvVarsFile } from '../lambdaEnv';
import { locateHandler } from '../handlerLocation';
import { Sandbox } from '../sandbox';
import { chooseNodeBinary, nodeVersionOf, runtimeMismatchWarning, type NodeBinaryChoice } from '../nodeBinary';
import { prepareSandboxRuntime } from '../sandboxRuntime';
import type { LayerMap } from '../layers';

/** Lambda's init phase limit (10 s), measured without the time spent waiting for a CPU. */
export const LAMBDA_INIT_TIMEOUT_MS = 10_000;

export interface LauncherSettings {
  template: LoadedTemplate;
  bundleDir?: string;
  envVars?: EnvVarsFile;
  serviceEnv: () => Record<string, string> | undefined;
  inheritAwsCredentials?: boolean;
  sandboxRoot: string;
  initTimeoutMs?: number;
  rssPollMs?: number;
  node?: NodeBinaryChoice;
  /** Local folders for layer ARNs (`--layer-map`). */
  layerMap?: LayerMap;
  /** Node inspector port for the sandboxes (`--debug-port`). */
  debugPort?: number;
  /** Every line a sandbox prints (the emulator's log). */
  log: (line: string) => void;
  warn: (message: string) => void;
}

export function sandboxLauncher(settings: LauncherSettings) {
  return async (fn: FunctionDefinition, onLog: (line: string) => void): Promise<Sandbox> => {
    const location = locateHandler(fn, settings.bundleDir);
    const nodeBinary = chooseNodeBinary(fn.runtime, settings.node);
    const nodeVersion = await nodeVersionOf(nodeBinary);
    const mismatch = runtimeMismatchWarning(fn.logicalId, fn.runtime, nodeVersion);
    if (mismatch) settings.warn(mismatch);
    const tmpDir = mkdtempSync(join(settings.sandboxRoot, `${fn.logicalId}-`));
    // Layers at /opt, NODE_PATH, the runtime's AWS SDK (sandboxRuntime.ts).
    const runtime = prepareSandboxRuntime({
      template: settings.template,
      fn,
      taskRoot: location.taskRoot,
      sandboxRoot: settings.sandboxRoot,
      nodeMajor: Number(nodeVersion.split('.')[0]),
      layerMap: settings.layerMap,
    });
    for (const w of runtime.warnings) settings.warn(w);
    const { env, logStreamName, warnings } = buildSandboxEnv({
      nodeBinary,
      layerBinDirs: runtime.layerBinDirs,
      nodePath: runtime.nodePath,
      fn,
      region: settings.template.region,
      tmpDir,
      taskRoot: location.taskRoot,
      envVars: settings.envVars,
      serviceEnv: settings.serviceEnv(),
      inheritAwsCredentials: settings.inheritAwsCredentials,
    });
    for (const w of warnings) settings.warn(w);
    return Sandbox.start({
      fn,
      handlerFile: location.file,
      exportName: location.exportName,
      typescript: location.typescript,
      env,
      logStreamName,
      tmpDir,
      taskRoot: location.taskRoot,
      initTimeoutMs: settings.initTimeoutMs ?? LAMBDA_INIT_TIMEOUT_MS,
      rssPollMs: settings.rssPollMs,
      nodeBinary,
      layers: runtime.layers,
      runtimeModulesDirs: runtime.runtimeModulesDirs,
      displayNodePath: runtime.displayNodePath,
      debugPort: settings.debugPort,
      onLog: (line) => {
        onLog(line);
        settings.log(line);
      },
    });
  };
}
