/**
 * `larder invoke FUNCTION [-e EVENT | -e -]` — like `sam local invoke`, without Docker: the payload
 * goes to stdout, the function's logs and START/END/REPORT lines to stderr. `--repeat N` invokes N
 * times (warm after the first, unless --cold), which is where the emulator differs from sam local.
 */
import { defineCommand } from '../command';
import { LarderError } from '../../errors';
import { readEvent } from '../../local/eventInput';
import { createLocalRuntime } from '../../local/localRuntime';
import { runtimeArgs } from '../runtimeArgs';

export default defineCommand({
  meta: {
    name: 'invoke',
    description: 'Invoke a function from the SAM template, like `sam local invoke` (no Docker)',
    usage: 'invoke FUNCTION [-e EVENT.json | -e -] [--env-vars env.json] [--cold] [--repeat N] [--bundle] [--node PATH]',
  },
  args: {
    event: { type: 'string', alias: 'e', description: 'Event JSON file, or - for standard input (default: {})' },
    cold: { type: 'boolean', description: 'Start a fresh sandbox for every invocation', default: false },
    repeat: { type: 'string', description: 'Invoke this many times (warm after the first unless --cold)', default: '1' },
    ...runtimeArgs,
  },
  async run({ args, positionals }) {
    const [name, ...extra] = positionals;
    if (!name) throw new LarderError('VALIDATION', 'name the function to invoke, e.g. `larder invoke QueryFunction -e test_events/query_direct.json`');
    if (extra.length) throw new LarderError('VALIDATION', `unexpected arguments: ${extra.join(' ')}`);
    const repeat = Number(args.repeat);
    if (!Number.isInteger(repeat) || repeat < 1) throw new LarderError('VALIDATION', `--repeat: expected a whole number ≥ 1, found "${args.repeat}"`);
    const event = await readEvent(args.event);
    const runtime = await createLocalRuntime(args, { command: 'invoke' });
    let failed = false;
    try {
      for (let i = 0; i < repeat; i++) {
        const result = await runtime.emulator.invoke(name, event, { cold: args.cold });
        process.stdout.write(result.payload + '\n');
        failed ||= Boolean(result.functionError);
      }
      // Event invocations the function started (e.g. the ingest worker) finish before we exit.
      await runtime.emulator.drainAsync();
    } finally {
      await runtime.stop();
    }
    return failed ? 1 : 0;
  },
});
