/**
 * The AWS SDK v3 that Lambda's Node runtimes ship in /var/runtime/node_modules, so a handler that
 * imports `@aws-sdk/client-*` without bundling it runs as it does in Lambda. Larder's own copy is
 * served: a folder `<root>/var-runtime/node_modules` holding only a link to Larder's `@aws-sdk` scope
 * — not the rest of Larder's node_modules, which Lambda would not have. The SDK's own dependencies
 * (@smithy/*) resolve from the link's real location. A client Larder does not install is missing
 * here too; the import error names it.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Larder's `node_modules/@aws-sdk` folder. */
export function larderSdkScopeDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(dirname(require.resolve('@aws-sdk/client-lambda/package.json')));
}

/** Creates (once) and returns the runtime's node_modules folder under `root`. */
export function ensureRuntimeModulesDir(root: string): string {
  const modules = join(root, 'var-runtime', 'node_modules');
  const link = join(modules, '@aws-sdk');
  const target = larderSdkScopeDir();
  mkdirSync(modules, { recursive: true });
  let current: string | undefined;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
  } catch {
    current = undefined;
  }
  if (current !== target) {
    if (existsSync(link) || current !== undefined) rmSync(link, { recursive: true, force: true });
    try {
      symlinkSync(target, link, 'dir');
    } catch (err) {
      // Another emulator made it at the same moment.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return modules;
}
