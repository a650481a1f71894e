/**
 * EphemeralStorage for a sandbox without a loop device or root: the sandbox's /tmp is a plain
 * directory, and this module patches the `fs` functions that write (by path or by a descriptor that
 * was opened under that directory) so that a write which would take the directory past its byte
 * budget throws ENOSPC, as a full disk would in Lambda.
 *
 * Accounting: the directory's size is measured once (a walk), then bytes written are added as they
 * go. Before refusing a write the directory is measured again, so deletes and overwrites free space
 * exactly. Limits of this approach (documented in docs/emulator.md): writes by native code (e.g. a
 * Rust/C++ addon writing a file itself) and by child processes bypass `fs` and are only seen by the
 * supervisor's walk after the invocation, which logs a warning; code that writes to the literal
 * path "/tmp" rather than os.tmpdir()/LARDER_CACHE_DIR writes outside the sandbox.
 *
 * Plain JavaScript on purpose: it runs in the sandbox before any TypeScript loader exists.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve, sep } from 'node:path';

export function directorySizeBytes(dir) {
  let total = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += directorySizeBytes(p);
    else {
      try {
        total += fs.lstatSync(p).size;
      } catch {
        /* removed while walking */
      }
    }
  }
  return total;
}

function enospc(syscall, path) {
  const err = new Error(`ENOSPC: no space left on device, ${syscall}${path ? ` '${path}'` : ''}`);
  err.code = 'ENOSPC';
  err.errno = -28;
  err.syscall = syscall;
  if (path) err.path = path;
  return err;
}

function byteLength(data, encoding) {
  if (typeof data === 'string') return Buffer.byteLength(data, typeof encoding === 'string' ? encoding : encoding?.encoding ?? 'utf8');
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * @param {{root: string, budgetBytes: number}} options
 * @returns {{ usedBytes(): number, rescan(): number }}
 */
export async function installStorageQuota({ root, budgetBytes }) {
  const rootAbs = resolve(root);
  let used = directorySizeBytes(rootAbs);
  const trackedFds = new Set();
  const trackedHandles = new WeakSet();

  const inside = (p) => {
    if (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p)) return false;
    const abs = resolve(p instanceof URL ? p.pathname : String(p));
    return abs === rootAbs || abs.startsWith(rootAbs + sep);
  };
  const existingSize = (p) => {
    try {
      return fs.statSync(p).size;
    } catch {
      return 0;
    }
  };
  /** Reserves n bytes or throws ENOSPC. `freed` are bytes the write replaces (an overwritten file). */
  const reserve = (n, syscall, path, freed = 0) => {
    if (used + n - freed <= budgetBytes) {
      used += n - freed;
      return;
    }
    used = directorySizeBytes(rootAbs);
    if (used + n - freed > budgetBytes) throw enospc(syscall, path);
    used += n - freed;
  };
  const truncating = (flag) => flag === undefined || (typeof flag === 'string' && flag.startsWith('w'));

  const orig = {
    writeFileSync: fs.writeFileSync,
    appendFileSync: fs.appendFileSync,
    writeFile: fs.writeFile,
    appendFile: fs.appendFile,
    copyFileSync: fs.copyFileSync,
    copyFile: fs.copyFile,
    openSync: fs.openSync,
    open: fs.open,
    closeSync: fs.closeSync,
    close: fs.close,
    writeSync: fs.writeSync,
    write: fs.write,
    writev: fs.writev,
    writevSync: fs.writevSync,
    pWriteFile: fs.promises.writeFile,
    pAppendFile: fs.promises.appendFile,
    pCopyFile: fs.promises.copyFile,
    pOpen: fs.promises.open,
  };

  fs.writeFileSync = function (file, data, options) {
    if (typeof file !== 'number' && inside(file)) reserve(byteLength(data, options), 'write', String(file), truncating(options?.flag) ? existingSize(file) : 0);
    else if (typeof file === 'number' && trackedFds.has(file)) reserve(byteLength(data, options), 'write');
    return orig.writeFileSync.apply(this, arguments);
  };
  fs.appendFileSync = function (file, data, options) {
    if (typeof file !== 'number' ? inside(file) : trackedFds.has(file)) reserve(byteLength(data, options), 'write', String(file));
    return orig.appendFileSync.apply(this, arguments);
  };
  const callbackGuard = (original, check) =>
    function (...args) {
      try {
        check(...args);
      } catch (err) {
        const cb = args[args.length - 1];
        if (typeof cb === 'function') return void process.nextTick(cb, err);
        throw err;
      }
      return original.apply(this, args);
    };
  fs.writeFile = callbackGuard(orig.writeFile, (file, data, options) => {
    if (typeof file !== 'number' && inside(file)) reserve(byteLength(data, options), 'write', String(file), truncating(options?.flag) ? existingSize(file) : 0);
  });
  fs.appendFile = callbackGuard(orig.appendFile, (file, data, options) => {
    if (typeof file !== 'number' && inside(file)) reserve(byteLength(data, options), 'write', String(file));
  });
  fs.copyFileSync = function (src, dest) {
    if (inside(dest)) reserve(existingSize(src), 'copyfile', String(dest), existingSize(dest));
    return orig.copyFileSync.apply(this, arguments);
  };
  fs.copyFile = callbackGuard(orig.copyFile, (src, dest) => {
    if (inside(dest)) reserve(existingSize(src), 'copyfile', String(dest), existingSize(dest));
  });
  fs.openSync = function (path, flags) {
    const fd = orig.openSync.apply(this, arguments);
    if (inside(path) && flags !== undefined && flags !== 'r') trackedFds.add(fd);
    return fd;
  };
  fs.open = function (path, flags, ...rest) {
    const cb = rest[rest.length - 1];
    if (typeof cb !== 'function' || !inside(path) || flags === undefined || flags === 'r' || typeof flags === 'function') return orig.open.apply(this, arguments);
    const args = [path, flags, ...rest.slice(0, -1), (err, fd) => {
      if (!err) trackedFds.add(fd);
      cb(err, fd);
    }];
    return orig.open.apply(this, args);
  };
  fs.closeSync = function (fd) {
    trackedFds.delete(fd);
    return orig.closeSync.apply(this, arguments);
  };
  fs.close = function (fd) {
    trackedFds.delete(fd);
    return orig.close.apply(this, arguments);
  };
  const writeArgsLength = (buffer, offsetOrOptions, length) => {
    if (typeof buffer === 'string') return Buffer.byteLength(buffer);
    if (typeof length === 'number') return length;
    if (offsetOrOptions && typeof offsetOrOptions === 'object' && typeof offsetOrOptions.length === 'number') return offsetOrOptions.length;
    const offset = typeof offsetOrOptions === 'number' ? offsetOrOptions : 0;
    return byteLength(buffer) - offset;
  };
  fs.writeSync = function (fd, buffer, offsetOrOptions, length) {
    if (trackedFds.has(fd)) reserve(writeArgsLength(buffer, offsetOrOptions, length), 'write');
    return orig.writeSync.apply(this, arguments);
  };
  fs.write = callbackGuard(orig.write, (fd, buffer, offsetOrOptions, length) => {
    if (trackedFds.has(fd)) reserve(writeArgsLength(buffer, typeof offsetOrOptions === 'function' ? undefined : offsetOrOptions, typeof length === 'function' ? undefined : length), 'write');
  });
  const vectorBytes = (buffers) => buffers.reduce((n, b) => n + b.byteLength, 0);
  fs.writev = callbackGuard(orig.writev, (fd, buffers) => {
    if (trackedFds.has(fd)) reserve(vectorBytes(buffers), 'write');
  });
  fs.writevSync = function (fd, buffers) {
    if (trackedFds.has(fd)) reserve(vectorBytes(buffers), 'write');
    return orig.writevSync.apply(this, arguments);
  };

  const promises = fs.promises;
  promises.writeFile = async function (file, data, options) {
    if (typeof file === 'string' || file instanceof URL) {
      if (inside(file)) reserve(byteLength(data, options), 'write', String(file), truncating(options?.flag) ? existingSize(file) : 0);
    } else if (file && trackedHandles.has(file)) reserve(byteLength(data, options), 'write');
    return orig.pWriteFile.apply(this, arguments);
  };
  promises.appendFile = async function (file, data, options) {
    if ((typeof file === 'string' || file instanceof URL) && inside(file)) reserve(byteLength(data, options), 'write', String(file));
    else if (file && trackedHandles.has(file)) reserve(byteLength(data, options), 'write');
    return orig.pAppendFile.apply(this, arguments);
  };
  promises.copyFile = async function (src, dest) {
    if (inside(dest)) reserve(existingSize(src), 'copyfile', String(dest), existingSize(dest));
    return orig.pCopyFile.apply(this, arguments);
  };
  promises.open = async function (path, flags) {
    const handle = await orig.pOpen.apply(this, arguments);
    if (inside(path) && flags !== undefined && flags !== 'r') trackedHandles.add(handle);
    return handle;
  };
  // FileHandle is not exported; reach its prototype through a handle on the sandbox directory.
  const probe = await orig.pOpen.call(promises, rootAbs, 'r');
  const FileHandleProto = Object.getPrototypeOf(probe);
  await probe.close();
  const fhWrite = FileHandleProto.write;
  const fhWritev = FileHandleProto.writev;
  const fhWriteFile = FileHandleProto.writeFile;
  FileHandleProto.write = async function (buffer, offsetOrOptions, length) {
    if (trackedHandles.has(this)) reserve(writeArgsLength(buffer, offsetOrOptions, length), 'write');
    return fhWrite.apply(this, arguments);
  };
  FileHandleProto.writev = async function (buffers) {
    if (trackedHandles.has(this)) reserve(vectorBytes(buffers), 'write');
    return fhWritev.apply(this, arguments);
  };
  FileHandleProto.writeFile = async function (data, options) {
    if (trackedHandles.has(this)) reserve(byteLength(data, options), 'write');
    return fhWriteFile.apply(this, arguments);
  };
  syncBuiltinESMExports();

  return {
    usedBytes: () => used,
    rescan: () => (used = directorySizeBytes(rootAbs)),
  };
}
