/**
 * The `larder` command. A table of lazily loaded sub-commands (one file each in src/cli/commands/);
 * `runMain` is the only place that reads argv and sets the exit code.
 */
import { pathToFileURL } from 'node:url';
import { CliUsageError, parseCommandArgs, renderUsage, type Command } from './cli/command';
import { describeError, isLarderError } from './errors';

type Loader = () => Promise<{ default: Command<any> }>;

export const commands: Record<string, { description: string; load: Loader }> = {
  start: { description: 'Run everything offline: local services, seeded data, the API for all functions', load: () => import('./cli/commands/start') },
  services: { description: 'Start local S3, DynamoDB and Bedrock endpoints in the foreground', load: () => import('./cli/commands/services') },
  seed: { description: 'Upload data_cache/ to the configured bucket (the local S3 by default)', load: () => import('./cli/commands/seed') },
  invoke: { description: 'Invoke a function from the SAM template once, like `sam local invoke`', load: () => import('./cli/commands/invoke') },
  'start-api': { description: 'Serve the template\'s Api events over HTTP, like `sam local start-api`', load: () => import('./cli/commands/start-api') },
  'start-lambda': { description: 'Serve the Lambda Invoke API, like `sam local start-lambda`', load: () => import('./cli/commands/start-lambda') },
  list: { description: 'List a template\'s functions (runnable or why not), routes and resources, like `sam list`', load: () => import('./cli/commands/list') },
  build: { description: 'Build a template\'s functions into .aws-sam/build, like `sam build` (no Docker)', load: () => import('./cli/commands/build') },
  runtimes: { description: 'Install Node versions from the npm registry for the functions\' Runtimes, or list them', load: () => import('./cli/commands/runtimes') },
  demo: { description: 'Invoke a function cold, then warm, and show both REPORT lines', load: () => import('./cli/commands/demo') },
  ask: { description: 'Answer a question over the data cache', load: () => import('./cli/commands/ask') },
  eval: { description: 'Retrieval recall and MRR on a gold QA file', load: () => import('./cli/commands/eval') },
};

function rootUsage(): string {
  const lines = ['larder — a local-first Lambda emulator and cache-aware RAG data loader', '', 'Usage: larder <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(14)} ${c.description}`);
  lines.push('', 'Run `larder <command> --help` for a command\'s options.');
  return lines.join('\n');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Runs one command from raw args; returns the exit code. Never calls process.exit itself. */
export async function runCommand(rawArgs: string[]): Promise<number> {
  const [name, ...rest] = rawArgs;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(rootUsage());
    return name ? 0 : 1;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`larder: unknown command "${name}"\n\n${rootUsage()}`);
    return 2;
  }
  let command: Command<any>;
  try {
    command = (await entry.load()).default;
  } catch (err) {
    console.error(`larder ${name}: this command is not available yet (${describeError(err)})`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(renderUsage(command));
    return 0;
  }
  try {
    const { args, positionals } = parseCommandArgs(command, rest);
    const code = await command.run({ args, positionals, untilSignal });
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof CliUsageError) {
      console.error(`larder ${name}: ${err.message}\n\n${renderUsage(command)}`);
      return 2;
    }
    const prefix = isLarderError(err) ? `[${err.code}] ` : '';
    console.error(`larder ${name}: ${prefix}${describeError(err)}`);
    if (process.env.LARDER_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
}

export async function runMain(rawArgs = process.argv.slice(2)): Promise<void> {
  // The SDK's multi-line "Node 20 support ends" warning would repeat in every command's output; the
  // README says once that Lambda runs nodejs22.x and Node 22 is the better local match.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const code = await runCommand(rawArgs);
  process.exitCode = code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void runMain();
}
