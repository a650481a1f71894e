/**
 * `larder runtimes install 22 [24 …]` — Node binaries from the npm registry (`node@22`) into Larder's
 * cache, where each function's Runtime (nodejs22.x) then finds its Node. `larder runtimes list
 * [-t TEMPLATE]` shows what is installed and, for a template, which Node each function would run on.
 */
import { defineCommand } from '../command';
import { LarderError } from '../../errors';
import { installNode, installedNodeMajors, parseNodeMajor, runtimesCacheDir } from '../../local/nodeRuntimes';
import { chooseNodeBinary } from '../../local/nodeBinary';
import { loadTemplate } from '../../local/template';

export default defineCommand({
  meta: { name: 'runtimes', description: 'Install or list the Node versions functions run on', usage: 'runtimes install MAJOR [MAJOR…] | runtimes list [-t TEMPLATE]' },
  args: {
    'cache-dir': { type: 'string', description: 'Where Node binaries are kept (default: LARDER_RUNTIMES_DIR, else ~/.cache/larder/node)' },
    registry: { type: 'string', description: 'npm registry to install from (default: npm\'s configured one)' },
    force: { type: 'boolean', description: 'Reinstall a version already in the cache', default: false },
    template: { type: 'string', alias: 't', description: 'For list: show the Node each function of this template runs on' },
  },
  async run({ args, positionals }) {
    const [action, ...rest] = positionals;
    const cacheDir = args['cache-dir'] ?? runtimesCacheDir();
    if (action === 'install') {
      if (!rest.length) throw new LarderError('VALIDATION', 'name the Node major version(s) to install, e.g. `larder runtimes install 22`');
      const majors = rest.map(parseNodeMajor);
      for (const major of majors) {
        const { binary, version, installed } = await installNode(major, { cacheDir, registry: args.registry, force: args.force, log: (l) => process.stderr.write(`[larder] ${l}\n`) });
        process.stdout.write(`node ${major}: ${version} ${installed ? 'installed' : 'already installed'} at ${binary}\n`);
      }
      return 0;
    }
    if (action === 'list') {
      const installed = installedNodeMajors(cacheDir);
      process.stdout.write(`Cache: ${cacheDir}\n`);
      process.stdout.write(installed.length ? installed.map((e) => `  node ${e.major}  ${e.binary}`).join('\n') + '\n' : '  (no Node installed; `larder runtimes install 22`)\n');
      process.stdout.write(`Host: node ${process.versions.node}  ${process.execPath}\n`);
      if (args.template) {
        const template = loadTemplate(args.template);
        process.stdout.write('Functions:\n');
        for (const fn of template.functions) process.stdout.write(`  ${fn.logicalId.padEnd(28)} ${fn.runtime.padEnd(12)} ${chooseNodeBinary(fn.runtime, { runtimesDir: cacheDir })}\n`);
      }
      return 0;
    }
    throw new LarderError('VALIDATION', `expected \`runtimes install MAJOR\` or \`runtimes list\`, found "${positionals.join(' ') || '(nothing)'}"`);
  },
});
