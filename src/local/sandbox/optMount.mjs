/**
 * Layers without root or a real /opt: Lambda extracts each layer into /opt, in order (a later layer's
 * file wins). Here the layers stay where they are on disk, and paths under `/opt` are redirected in
 * the sandbox — in `fs` (sync, callback and promise forms; `readdir` lists the union of the layers),
 * in CommonJS `require('/opt/...')`, and in ESM `import '/opt/...'` (resolveHooks.mjs) — to the last
 * layer that has the file. Bare imports fall back to the layers' `nodejs/node<major>/node_modules` and
 * `nodejs/node_modules`, then to the runtime's own modules (the AWS SDK v3), which is what NODE_PATH
 * does in Lambda; CommonJS gets that from the real NODE_PATH the supervisor sets, ESM from the hooks.
 */
import fs from 'node:fs';
import Module, { register, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const OPT = '/opt';

/**
 * Maps an /opt path to the layer folder holding it (the last layer that has it; else the last layer,
 * so errors name a real place). Each layer is `{mount, dir}`: `mount` is `/opt` for a layer folder laid
 * out as its zip would be, `/opt/nodejs` for a SAM `BuildMethod: nodejsXX` layer whose ContentUri holds
 * package.json and node_modules directly.
 */
export function optMapper(layers, exists = fs.existsSync) {
  return (path) => {
    if (typeof path !== 'string' || !(path === OPT || path.startsWith(OPT + '/'))) return undefined;
    let fallback;
    for (let i = layers.length - 1; i >= 0; i--) {
      const { mount, dir } = layers[i];
      if (!(path === mount || path.startsWith(mount + '/'))) continue;
      const candidate = join(dir, path.slice(mount.length));
      if (exists(candidate)) return candidate;
      fallback ??= candidate;
    }
    return fallback ?? join(layers[layers.length - 1].dir, path.slice(OPT.length));
  };
}

const ONE_PATH = [
  'access', 'exists', 'stat', 'lstat', 'readFile', 'open', 'opendir', 'realpath', 'createReadStream',
  'readlink', 'statfs',
];
const PROMISE_ONE_PATH = ['access', 'stat', 'lstat', 'readFile', 'open', 'opendir', 'realpath', 'readlink'];

export function installOptMount({ layers, fallbackModuleDirs }) {
  if (layers.length) patchOptPaths(layers);
  // ESM: /opt specifiers, plus the NODE_PATH-like fallback for bare specifiers.
  register('./resolveHooks.mjs', {
    parentURL: import.meta.url,
    data: { layers, fallbackParents: fallbackModuleDirs.map((d) => pathToFileURL(join(d, '..', '__larder_parent__.mjs')).href) },
  });
}

/** `fs` and CommonJS `require` see the layers at /opt. */
function patchOptPaths(layers) {
  const origExists = fs.existsSync;
  const map = optMapper(layers, origExists);
  const rewrite = (p) => (p instanceof URL && p.protocol === 'file:' ? map(p.pathname) : map(p)) ?? p;

  for (const name of ONE_PATH) {
    for (const key of [name, `${name}Sync`]) {
      const orig = fs[key];
      if (typeof orig !== 'function') continue;
      fs[key] = function (path, ...rest) {
        return orig.call(this, rewrite(path), ...rest);
      };
      if (orig.native) fs[key].native = (path, ...rest) => orig.native(rewrite(path), ...rest);
    }
  }
  for (const name of PROMISE_ONE_PATH) {
    const orig = fs.promises[name];
    fs.promises[name] = (path, ...rest) => orig(rewrite(path), ...rest);
  }
  // readdir of /opt/... lists every layer's entries, as the merged /opt would.
  const dirsFor = (p) => {
    const path = p instanceof URL ? p.pathname : p;
    if (typeof path !== 'string' || !(path === OPT || path.startsWith(OPT + '/'))) return undefined;
    return layers
      .filter(({ mount }) => path === mount || path.startsWith(mount + '/'))
      .map(({ mount, dir }) => join(dir, path.slice(mount.length)))
      .filter((d) => origExists(d));
  };
  const merge = (lists, withFileTypes) => {
    const seen = new Map();
    for (const list of lists) for (const e of list) seen.set(withFileTypes ? e.name : String(e), e);
    return [...seen.values()];
  };
  const origReaddirSync = fs.readdirSync;
  fs.readdirSync = function (path, options) {
    const dirs = dirsFor(path);
    if (!dirs || dirs.length <= 1) return origReaddirSync.call(this, dirs?.[0] ?? rewrite(path), options);
    return merge(dirs.map((d) => origReaddirSync(d, options)), options?.withFileTypes);
  };
  const origReaddir = fs.readdir;
  fs.readdir = function (path, options, callback) {
    if (typeof options === 'function') [callback, options] = [options, undefined];
    try {
      const dirs = dirsFor(path);
      if (!dirs || dirs.length <= 1) return origReaddir.call(this, dirs?.[0] ?? rewrite(path), options ?? {}, callback);
      const out = merge(dirs.map((d) => origReaddirSync(d, options)), options?.withFileTypes);
      process.nextTick(callback, null, out);
    } catch (err) {
      process.nextTick(callback, err);
    }
  };
  const origPromisesReaddir = fs.promises.readdir;
  fs.promises.readdir = async (path, options) => {
    const dirs = dirsFor(path);
    if (!dirs || dirs.length <= 1) return origPromisesReaddir(dirs?.[0] ?? rewrite(path), options);
    return merge(await Promise.all(dirs.map((d) => origPromisesReaddir(d, options))), options?.withFileTypes);
  };
  syncBuiltinESMExports();

  // CommonJS: require('/opt/nodejs/lib/util') resolves inside the layers.
  const origResolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return origResolve.call(this, map(request) ?? request, ...rest);
  };
}
