/**
 * ESM resolve hooks for a sandbox (registered by optMount.mjs; they run on Node's loader thread).
 * ES modules ignore NODE_PATH, but Lambda's runtime lets an ESM handler import the packages of its
 * layers and the AWS SDK v3 it ships; here a bare specifier that does not resolve from the importing
 * file is retried from each layer's node_modules and then from the runtime's modules, in NODE_PATH's
 * order. `/opt/...` and `file:///opt/...` specifiers are mapped into the layers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let layers = [];
let fallbackParents = [];

export function initialize(data) {
  layers = data?.layers ?? [];
  fallbackParents = data?.fallbackParents ?? [];
}

/** Same rule as optMapper in optMount.mjs (the loader thread cannot share its closure). */
function mapOpt(specifier) {
  const path = specifier.startsWith('file:///opt/') ? decodeURIComponent(specifier.slice(7)) : specifier.startsWith('/opt/') ? specifier : undefined;
  if (!path || !layers.length) return undefined;
  let fallback;
  for (let i = layers.length - 1; i >= 0; i--) {
    const { mount, dir } = layers[i];
    if (!path.startsWith(mount + '/')) continue;
    const candidate = join(dir, path.slice(mount.length));
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
    fallback ??= candidate;
  }
  return pathToFileURL(fallback ?? join(layers[layers.length - 1].dir, path.slice(4))).href;
}

const BARE = /^(?![./]|[a-z][a-z0-9+.-]*:)/i;

export async function resolve(specifier, context, nextResolve) {
  const opt = mapOpt(specifier);
  if (opt) return nextResolve(opt, context);
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !BARE.test(specifier) || !fallbackParents.length) throw err;
    for (const parentURL of fallbackParents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch (e) {
        if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
      }
    }
    throw err;
  }
}
