/**
 * `larder list -t TEMPLATE [--json]` — like `sam list resources` and `sam list endpoints` together,
 * offline: every function (runnable here, or why not), every route (method, path, rest | http | url,
 * auth) and every resource. `--json` prints one object:
 * `{"functions": [{logicalId, runtime, handler, runnable, reason?}], "routes": [...], "resources": [...]}`.
 * It answers for any template that loads; warnings (unresolved values) go to stderr.
 */
import { defineCommand } from '../command';
import { findDefaultTemplate, loadTemplate } from '../../local/template';
import { declaredRoutes } from '../../local/template/routes';
import { parseParameterOverrides } from '../../local/localRuntime';
import type { LoadedTemplate } from '../../local/template';

export interface TemplateListing {
  functions: { logicalId: string; runtime: string | null; handler: string | null; runnable: boolean; reason?: string }[];
  routes: ReturnType<typeof declaredRoutes>;
  resources: { logicalId: string; type: string }[];
}

export function listTemplate(template: LoadedTemplate): TemplateListing {
  const functions: TemplateListing['functions'] = [];
  for (const id of Object.keys(template.raw.Resources)) {
    const fn = template.functions.find((f) => f.logicalId === id);
    const skipped = template.skippedFunctions.find((f) => f.logicalId === id);
    if (fn) functions.push({ logicalId: id, runtime: fn.runtime, handler: fn.handler, runnable: true });
    else if (skipped) functions.push({ logicalId: id, runtime: skipped.runtime ?? null, handler: skipped.handler ?? null, runnable: false, reason: skipped.reason });
  }
  const resources = Object.entries(template.raw.Resources).map(([logicalId, r]) => ({ logicalId, type: r.Type }));
  return { functions, routes: declaredRoutes(template), resources };
}

export default defineCommand({
  meta: { name: 'list', description: 'List a template\'s functions (runnable or why not), routes and resources', usage: 'list [-t TEMPLATE] [--json]' },
  args: {
    template: { type: 'string', alias: 't', description: 'SAM template (default: template.yaml, template.yml or template.json here, else lambda_assets/template.yaml)' },
    json: { type: 'boolean', description: 'Print one JSON object instead of tables', default: false },
    'parameter-overrides': { type: 'string', description: 'Template parameters, "Name=Value Name2=Value2"' },
    region: { type: 'string', description: 'AWS region for resolved values', default: 'us-east-1' },
  },
  async run({ args }) {
    const template = loadTemplate(args.template ?? findDefaultTemplate(), { region: args.region, parameterOverrides: parseParameterOverrides(args['parameter-overrides']) });
    for (const w of template.warnings) process.stderr.write(`[larder] warning: ${w}\n`);
    const listing = listTemplate(template);
    if (args.json) {
      process.stdout.write(JSON.stringify(listing, null, 2) + '\n');
      return 0;
    }
    process.stdout.write(renderListing(listing) + '\n');
    return 0;
  },
});

export function renderListing(listing: TemplateListing): string {
  const table = (header: string[], rows: string[][]) => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
    return [line(header), ...rows.map(line)].join('\n');
  };
  const parts = [
    'Functions',
    table(['logical id', 'runtime', 'handler', 'runnable'], listing.functions.map((f) => [f.logicalId, f.runtime ?? '-', f.handler ?? '-', f.runnable ? 'yes' : `no: ${f.reason}`])),
    '',
    'Routes',
    listing.routes.length ? table(['method', 'path', 'kind', 'auth', 'function'], listing.routes.map((r) => [r.method, r.path, r.kind, r.auth, r.function ?? '-'])) : '(none)',
    '',
    'Resources',
    table(['logical id', 'type'], listing.resources.map((r) => [r.logicalId, r.type])),
  ];
  return parts.join('\n');
}
