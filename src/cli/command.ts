/**
 * Commands are data: each file in src/cli/commands/ default-exports a `defineCommand({...})`.
 * Only `runMain` (src/cli.ts) touches process.argv and process.exit, so tests can run commands
 * in-process by passing raw args.
 */
import { parseArgs } from 'node:util';

export interface ArgSpec {
  type: 'string' | 'boolean';
  description: string;
  alias?: string;
  default?: string | boolean;
  /** May be given more than once; the value is then a string[]. */
  multiple?: boolean;
}

export interface CommandContext<A extends Record<string, ArgSpec> = Record<string, ArgSpec>> {
  args: { [K in keyof A]: A[K]['type'] extends 'boolean' ? boolean : A[K]['multiple'] extends true ? string[] : string | undefined };
  positionals: string[];
  /** Resolves when the user presses Ctrl-C (SIGINT) or SIGTERM; long-running commands await it. */
  untilSignal: () => Promise<NodeJS.Signals>;
}

export interface Command<A extends Record<string, ArgSpec> = Record<string, ArgSpec>> {
  meta: { name: string; description: string; usage?: string };
  args: A;
  /** Returns the process exit code (0 when omitted). */
  run: (ctx: CommandContext<A>) => Promise<number | void>;
}

export function defineCommand<A extends Record<string, ArgSpec>>(command: Command<A>): Command<A> {
  return command;
}

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export function parseCommandArgs<A extends Record<string, ArgSpec>>(command: Command<A>, rawArgs: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, spec] of Object.entries(command.args)) {
    options[name] = { type: spec.type };
    if (spec.alias) options[name].short = spec.alias;
    if (spec.multiple) options[name].multiple = true;
    if (spec.default !== undefined) options[name].default = spec.default;
  }
  try {
    const parsed = parseArgs({ args: rawArgs, options, allowPositionals: true, strict: true });
    return { args: parsed.values as CommandContext<A>['args'], positionals: parsed.positionals };
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}

export function renderUsage(command: Command): string {
  const lines = [`larder ${command.meta.name} — ${command.meta.description}`, ''];
  lines.push(`Usage: larder ${command.meta.usage ?? command.meta.name + ' [options]'}`);
  const entries = Object.entries(command.args);
  if (entries.length) {
    lines.push('', 'Options:');
    for (const [name, spec] of entries) {
      const flag = `${spec.alias ? `-${spec.alias}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`;
      const def = spec.default !== undefined ? ` (default: ${String(spec.default)})` : '';
      lines.push(`  ${flag.padEnd(30)} ${spec.description}${def}`);
    }
  }
  return lines.join('\n');
}
