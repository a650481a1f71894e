/**
 * A function's Layers, mounted as Lambda mounts them — without root or a real /opt. Each layer stays
 * in its folder on disk; the sandbox redirects `/opt/...` paths into the layers (sandbox/optMount.mjs)
 * and searches their `nodejs/node<major>/node_modules` and `nodejs/node_modules` the way Lambda's
 * NODE_PATH does. Which folder a layer is:
 *   - a `AWS::Serverless::LayerVersion` (ContentUri) or `AWS::Lambda::LayerVersion` (Content as a local
 *     path, or CDK's Metadata `aws:asset:path`) of the same template, referenced by `!Ref` or by ARN;
 *     with `BuildMethod: nodejsXX` (SAM builds ContentUri's package.json into nodejs/node_modules) the
 *     ContentUri itself is mounted at /opt/nodejs;
 *   - a layer ARN from outside the template, when `--layer-map ARN=DIR` names a local folder for it;
 *     otherwise it is left out with one warning saying how to map it.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LarderError } from '../errors';
import type { FunctionDefinition, LoadedTemplate } from './template';

export interface LayerMount {
  /** Where the folder appears: `/opt`, or `/opt/nodejs` for a SAM-built nodejs layer. */
  mount: string;
  dir: string;
  /** The template entry it came from (logical id or ARN), for messages. */
  source: string;
}

/** `--layer-map "ARN=DIR ARN2=DIR2"` (or repeated, comma-separated): a local folder per layer ARN. */
export type LayerMap = Record<string, string>;

const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:\d{12}:layer:([A-Za-z0-9_-]+)(?::(\d+))?$/;
const LAYER_TYPES = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);

export function parseLayerMap(text: string | undefined, cwd = process.cwd()): LayerMap {
  const out: LayerMap = {};
  for (const part of (text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const arn = part.slice(0, eq);
    if (eq <= 0 || !LAYER_ARN.test(arn)) {
      throw new LarderError('VALIDATION', `--layer-map: expected LAYER_ARN=FOLDER (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION=./dir), found "${part}"`);
    }
    const dir = resolve(cwd, part.slice(eq + 1));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new LarderError('VALIDATION', `--layer-map ${arn}: ${dir} is not a folder`);
    out[arn] = dir;
  }
  return out;
}

/**
 * Resolves the function's layers (the template reader's `fn.layers`: Globals' first, then its own)
 * into folders: a local layer of the template, an ARN mapped by `--layer-map`, or a warning.
 */
export function resolveLayers(template: LoadedTemplate, fn: FunctionDefinition, layerMap: LayerMap = {}): { layers: LayerMount[]; warnings: string[] } {
  const layers: LayerMount[] = [];
  const warnings: string[] = [];
  for (const ref of fn.layers ?? []) {
    const source = ref.logicalId ?? ref.arn ?? '?';
    const mapped = ref.arn ? (layerMap[ref.arn] ?? layerMap[ref.arn.replace(/:\d+$/, '')]) : undefined;
    if (mapped) {
      layers.push({ mount: '/opt', dir: mapped, source });
      continue;
    }
    const local = ref.contentDir ? { dir: ref.contentDir, buildMethod: ref.logicalId ? template.resources[ref.logicalId]?.Metadata?.BuildMethod : undefined } : sameTemplateLayer(template, ref.arn);
    if (local) {
      if (!existsSync(local.dir)) warnings.push(`${fn.logicalId}: layer ${source} points at ${local.dir}, which does not exist`);
      else layers.push({ mount: mountFor(local.dir, local.buildMethod), dir: local.dir, source });
      continue;
    }
    warnings.push(
      ref.arn && LAYER_ARN.test(ref.arn)
        ? `${fn.logicalId}: layer ${ref.arn} is not in the template and cannot be downloaded offline; its files are missing under /opt — pass --layer-map ${ref.arn}=./local-folder (the layer's zip contents) to mount one`
        : `${fn.logicalId}: layer ${JSON.stringify(source)} could not be resolved to a folder or an ARN; left out`,
    );
  }
  return { layers, warnings };
}

/** SAM builds a nodejsXX layer's ContentUri (package.json) into nodejs/node_modules; unbuilt, the folder holds them itself. */
function mountFor(dir: string, buildMethod: unknown): string {
  return /^nodejs/.test(String(buildMethod ?? '')) && !existsSync(resolve(dir, 'nodejs')) ? '/opt/nodejs' : '/opt';
}

/** A layer ARN naming a LayerVersion of this template (by LayerName or logical id) with local content. */
function sameTemplateLayer(template: LoadedTemplate, arn: string | undefined): { dir: string; buildMethod?: unknown } | undefined {
  const name = arn ? LAYER_ARN.exec(arn)?.[1] : undefined;
  if (!name) return undefined;
  const entry = Object.entries(template.resources).find(([id, r]) => LAYER_TYPES.has(r.Type) && (id === name || r.Properties?.LayerName === name));
  if (!entry) return undefined;
  const [, res] = entry;
  const p = res.Properties ?? {};
  const raw = typeof p.ContentUri === 'string' ? p.ContentUri : typeof p.Content === 'string' ? p.Content : res.Metadata?.['aws:asset:path'];
  if (typeof raw !== 'string' || /^s3:\/\//.test(raw)) return undefined;
  return { dir: resolve(template.dir, raw), buildMethod: res.Metadata?.BuildMethod };
}

/**
 * Lambda's module search path for a Node major: `/opt/nodejs/node<major>/node_modules`,
 * `/opt/nodejs/node_modules`, `/var/runtime/node_modules`, `/var/runtime`, `/var/task`. `display` is that
 * value (what the function reads in NODE_PATH); `real` is the same search path on this machine's disk.
 */
export function lambdaNodePath(layers: LayerMount[], nodeMajor: number, runtimeModulesDir: string, taskRoot: string): { display: string; real: string[] } {
  const display = [`/opt/nodejs/node${nodeMajor}/node_modules`, '/opt/nodejs/node_modules', '/var/runtime/node_modules', '/var/runtime', '/var/task'].join(':');
  const real: string[] = [];
  for (const sub of [`nodejs/node${nodeMajor}/node_modules`, 'nodejs/node_modules']) {
    for (const layer of [...layers].reverse()) {
      const rel = layer.mount === '/opt/nodejs' ? sub.replace(/^nodejs\/?/, '') : sub;
      const dir = resolve(layer.dir, rel);
      if (existsSync(dir)) real.push(dir);
    }
  }
  real.push(runtimeModulesDir, taskRoot);
  return { display, real };
}
