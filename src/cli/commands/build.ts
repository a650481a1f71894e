/**
 * `larder build [-t TEMPLATE] [--build-dir .aws-sam/build] [FUNCTION...]` — like `sam build`, without
 * Docker: each function built as its Metadata says (esbuild, makefile, or its folder copied), into the
 * layout SAM's own tools recognise, with a template.yaml that runs there.
 */
import { defineCommand } from '../command';
import { findDefaultTemplate, loadTemplate } from '../../local/template';
import { DEFAULT_BUILD_DIR, buildTemplate } from '../../local/templateBuild';
import { parseParameterOverrides } from '../../local/localRuntime';

export default defineCommand({
  meta: { name: 'build', description: 'Build a template\'s functions into .aws-sam/build, like `sam build`', usage: 'build [-t TEMPLATE] [--build-dir DIR] [FUNCTION...]' },
  args: {
    template: { type: 'string', alias: 't', description: 'SAM template (default: template.yaml, template.yml or template.json here, else lambda_assets/template.yaml)' },
    'build-dir': { type: 'string', alias: 'b', description: 'Where to write the built functions and template.yaml', default: DEFAULT_BUILD_DIR },
    'parameter-overrides': { type: 'string', description: 'Template parameters, "Name=Value Name2=Value2"' },
  },
  async run({ args, positionals }) {
    const template = loadTemplate(args.template ?? findDefaultTemplate(), { parameterOverrides: parseParameterOverrides(args['parameter-overrides']) });
    for (const w of template.warnings) process.stderr.write(`[larder] warning: ${w}\n`);
    const buildDir = args['build-dir'] ?? DEFAULT_BUILD_DIR;
    const built = await buildTemplate(template, { buildDir, only: positionals });
    for (const a of built) {
      const what = a.method === 'skipped' ? `skipped: ${a.reason}` : a.method === 'inline' ? 'inline code, left in the template' : `${a.method} → ${a.dir}`;
      process.stdout.write(`${a.kind.padEnd(8)} ${a.logicalId.padEnd(28)} ${what}\n`);
    }
    process.stdout.write(`Built template: ${buildDir}/template.yaml (run it with \`larder invoke -t ${buildDir}/template.yaml\`)\n`);
    return 0;
  },
});
