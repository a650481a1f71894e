/**
 * `npm run build`: bundles every function in lambda_assets/template.yaml with esbuild, using the
 * template's BuildProperties, into .larder/build/<LogicalId>/ with ml_config.yaml and (for functions
 * that read tables) the `lambda_source: package` tables, and reports each function's unzipped size —
 * bundle plus the node_modules its External packages need — against Lambda's 250 MB limit.
 * `larder invoke --bundle` runs these bundles, so CI can check they work.
 *
 *   npm run build [-- --template PATH] [--out DIR] [--only FunctionA,FunctionB] [--copy-externals]
 *
 * `sam build` runs it through the Makefile (BuildMethod: makefile), one function at a time, straight
 * into SAM's artifacts directory, with the external packages copied in for Lambda's platform:
 *
 *   node --import tsx scripts/build.ts --function QueryFunction --artifacts-dir "$ARTIFACTS_DIR"
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadTemplate, DEFAULT_TEMPLATE } from '../src/local/template';
import { bundleFunctions, formatBundleReport } from '../src/local/bundle';
import { DEFAULT_BUNDLE_DIR } from '../src/local/localRuntime';

const { values } = parseArgs({
  options: {
    template: { type: 'string', default: DEFAULT_TEMPLATE },
    out: { type: 'string', default: DEFAULT_BUNDLE_DIR },
    only: { type: 'string' },
    'copy-externals': { type: 'boolean', default: false },
    function: { type: 'string' },
    'artifacts-dir': { type: 'string' },
    'require-package-tables': { type: 'boolean', default: false },
  },
});

const rootDir = resolve(import.meta.dirname, '..');
const artifactsDir = values['artifacts-dir'];
try {
  if (artifactsDir !== undefined && (!artifactsDir || !values.function)) {
    throw new Error('--artifacts-dir needs a directory and --function <LogicalId> (sam build sets ARTIFACTS_DIR; by hand: make build-QueryFunction ARTIFACTS_DIR=/tmp/out)');
  }
  if (values.function && artifactsDir === undefined) throw new Error('--function goes with --artifacts-dir (for several functions into --out, use --only)');
  const reports = await bundleFunctions({
    template: loadTemplate(values.template!),
    outDir: resolve(values.out!),
    only: values.function ? [values.function] : values.only?.split(',').filter(Boolean),
    // A SAM artifact is deployed as it is: it must carry its external packages, built for Lambda.
    copyExternals: values['copy-externals'] || artifactsDir !== undefined,
    artifactsDir,
    requirePackageTables: values['require-package-tables'],
    rootDir,
  });
  if (artifactsDir !== undefined && reports[0]?.status !== 'built') throw new Error(`${values.function}: ${reports[0]?.reason ?? 'not built'}`);
  console.log(formatBundleReport(reports));
  if (artifactsDir === undefined) {
    console.log(`\nBundles in ${resolve(values.out!)}. Run one with: npx larder invoke <Function> --bundle -e <event.json>`);
  }
  if (reports.some((r) => r.status === 'built' && !r.fitsZipLimit)) {
    console.log('A function is over the .zip limit: deploy it as a container image (PackageType: Image) — see docs/emulator.md.');
  }
} catch (err) {
  console.error(`build: ${(err as Error).message}`);
  process.exitCode = 1;
}
