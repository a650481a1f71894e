/**
 * `npm run build`: bundles every function in lambda_assets/template.yaml with esbuild, using the
 * template's BuildProperties (what `sam build` does), into .larder/build/<LogicalId>/, and reports
 * each function's unzipped size — bundle plus the node_modules its External packages need — against
 * Lambda's 250 MB limit. `larder invoke --bundle` runs these bundles, so CI can check they work.
 *
 *   npm run build [-- --template PATH] [--out DIR] [--only FunctionA,FunctionB] [--copy-externals]
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
  },
});

const rootDir = resolve(import.meta.dirname, '..');
try {
  const reports = await bundleFunctions({
    template: loadTemplate(values.template!),
    outDir: resolve(values.out!),
    only: values.only?.split(',').filter(Boolean),
    copyExternals: values['copy-externals'],
    rootDir,
  });
  console.log(formatBundleReport(reports));
  console.log(`\nBundles in ${resolve(values.out!)}. Run one with: npx larder invoke <Function> --bundle -e <event.json>`);
  if (reports.some((r) => r.status === 'built' && !r.fitsZipLimit)) {
    console.log('A function is over the .zip limit: deploy it as a container image (PackageType: Image) — see docs/emulator.md.');
  }
} catch (err) {
  console.error(`build: ${(err as Error).message}`);
  process.exitCode = 1;
}
