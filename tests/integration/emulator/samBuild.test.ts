/**
 * What `sam build` produces: BuildMethod makefile runs `make build-<LogicalId>` with ARTIFACTS_DIR set
 * (aws-lambda-builders' CustomMakeWorkflow). Here make runs every function's target into a temporary
 * ARTIFACTS_DIR, as SAM would (SAM itself is not installed here), and each package is checked the way
 * Lambda uses it: the handler module loads from another cwd with only LAMBDA_TASK_ROOT set, the config
 * is found inside the package, and the loader's functions carry the package-shipped tables and
 * nodejs-polars with Lambda's native binary (linux x64 glibc) and no other platform's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, tablePackagePath } from '../../../src/config';
import { bundleFunctions } from '../../../src/local/bundle';
import { loadTemplate } from '../../../src/local/template';
import { splitHandler } from '../../../src/local/handlerLocation';

const ROOT = resolve(import.meta.dirname, '../../..');
const template = loadTemplate(join(ROOT, 'lambda_assets/template.yaml'));
const config = loadConfig(join(ROOT, 'ml_config.yaml'), {});
const PACKAGE_TABLES = Object.entries(config.tables).filter(([, t]) => t.lambda_source === 'package').map(([name]) => name);
const LOADER_FUNCTIONS = ['QueryFunction', 'DataLoaderTestFunction'];

/** Runs `code` (an ES module body) in a fresh node, cwd elsewhere, with only PATH and LAMBDA_TASK_ROOT: no project config, no tsx. */
function runInPackage(taskRoot: string, cwd: string, code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: taskRoot },
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
}

describe('sam build (BuildMethod makefile)', () => {
  const work = mkdtempSync(join(tmpdir(), 'larder-sam-build-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'larder-other-cwd-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it.each(template.functions.map((f) => f.logicalId))('make build-%s writes a package whose handler loads from another cwd', (id) => {
    const fn = template.functions.find((f) => f.logicalId === id)!;
    expect(fn.buildMethod).toBe('makefile');
    const artifacts = join(work, id);
    execFileSync('make', ['--makefile', join(ROOT, 'Makefile'), `build-${id}`], {
      cwd: ROOT,
      env: { ...process.env, ARTIFACTS_DIR: artifacts },
      stdio: 'pipe',
      timeout: 120_000,
    });

    const { modulePath, exportName } = splitHandler(fn.handler);
    expect(existsSync(join(artifacts, `${modulePath}.mjs`))).toBe(true);
    expect(existsSync(join(artifacts, 'ml_config.yaml'))).toBe(true);
    expect(existsSync(join(artifacts, 'ml_config.compiled.json')), 'the compiled config beside it (no YAML parse on a cold start)').toBe(true);
    const loaded = runInPackage(artifacts, elsewhere, `const m = await import(${JSON.stringify(join(artifacts, `${modulePath}.mjs`))}); console.log(typeof m[${JSON.stringify(exportName)}]);`);
    expect(loaded).toBe('function');

    // The source map (SourcesContent: false): names and mappings, not the sources — stack traces under
    // --enable-source-maps still point into src/, from a third of the bytes to parse at a cold start.
    const map = JSON.parse(readFileSync(join(artifacts, `${modulePath}.mjs.map`), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources.some((s) => s.endsWith(`src/handlers/${modulePath}.ts`))).toBe(true);
    if (LOADER_FUNCTIONS.includes(id)) {
      // As Node loads it with NODE_OPTIONS=--enable-source-maps (the template's): the handler's code maps to TypeScript.
      const bundle = join(artifacts, `${modulePath}.mjs`);
      const mapped = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', `
        import { findSourceMap } from 'node:module';
        import { pathToFileURL } from 'node:url';
        const m = await import(${JSON.stringify(bundle)});
        const text = m[${JSON.stringify(exportName)}].toString();
        const src = (await import('node:fs')).readFileSync(${JSON.stringify(bundle)}, 'utf8');
        const at = src.indexOf(text);
        const before = src.slice(0, at).split('\\n');
        const entry = findSourceMap(pathToFileURL(${JSON.stringify(bundle)}).href).findEntry(before.length - 1, before.at(-1).length);
        console.log(entry.originalSource);
      `], { cwd: elsewhere, env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: artifacts }, encoding: 'utf8', timeout: 60_000 }).trim();
      expect(mapped).toMatch(new RegExp(`src/handlers/${modulePath}\\.ts$`));
    }

    if (LOADER_FUNCTIONS.includes(id)) {
      for (const table of PACKAGE_TABLES) {
        const local = join(ROOT, 'data_cache', config.tables[table].local_path);
        if (!existsSync(local)) {
          console.warn(`${id}: ${local} not built; cannot check it is packaged`);
          continue;
        }
        expect(existsSync(tablePackagePath(config, table, artifacts)), `${id} ships ${table}`).toBe(true);
      }
      expect(existsSync(join(artifacts, 'data_cache', 'LICENSE.FinSights.txt'))).toBe(true);
      // Issue 14: the table readers' packages carry no native code (hyparquet + Larder's page reader).
      const modules = existsSync(join(artifacts, 'node_modules')) ? readdirSync(join(artifacts, 'node_modules')) : [];
      expect(modules.filter((m) => m.startsWith('nodejs-polars')), 'no nodejs-polars in the package').toEqual([]);
    } else {
      expect(existsSync(join(artifacts, 'data_cache'))).toBe(false);
    }
  }, 180_000);

  it('make without ARTIFACTS_DIR says how to run it', () => {
    let stderr = '';
    try {
      execFileSync('make', ['--makefile', join(ROOT, 'Makefile'), 'build-QueryFunction'], { cwd: ROOT, env: { ...process.env, ARTIFACTS_DIR: '' }, stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(stderr).toMatch(/ARTIFACTS_DIR is not set.*make build-QueryFunction ARTIFACTS_DIR=/);
  });
});

describe('the config inside a bundle', () => {
  const work = mkdtempSync(join(tmpdir(), 'larder-config-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is $LAMBDA_TASK_ROOT/ml_config.yaml, whatever the cwd — even one with its own ml_config.yaml', async () => {
    const templatePath = join(work, 'template.yaml');
    writeFileSync(
      templatePath,
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  ConfigPathFunction:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        `      CodeUri: ${JSON.stringify(join(ROOT, 'tests/fixtures/handlers'))}`,
        '      Handler: configPath.handler',
        '      Runtime: nodejs22.x',
        '    Metadata:',
        '      BuildMethod: makefile',
        '      BuildProperties:',
        '        Format: esm',
        '        OutExtension: [.js=.mjs]',
        "        Banner: [\"js=import { createRequire as __larderCreateRequire } from 'node:module'; const require = __larderCreateRequire(import.meta.url);\"]",
        '        EntryPoints: [configPath.ts]',
        '',
      ].join('\n'),
    );
    const taskRoot = join(work, 'task');
    const [report] = await bundleFunctions({ template: loadTemplate(templatePath), outDir: join(work, 'out'), only: ['ConfigPathFunction'], artifactsDir: taskRoot, rootDir: ROOT });
    expect(report.status).toBe('built');
    const call = `const m = await import(${JSON.stringify(join(taskRoot, 'configPath.mjs'))}); console.log(JSON.stringify(await m.handler({})));`;
    const elsewhere = mkdtempSync(join(work, 'cwd-'));
    for (const cwd of [elsewhere, ROOT]) {
      const result = JSON.parse(runInPackage(taskRoot, cwd, call));
      expect(result, `cwd ${cwd}`).toEqual({ configPath: join(taskRoot, 'ml_config.yaml'), cwd });
    }
  }, 60_000);
});
