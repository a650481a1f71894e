/**
 * `larder demo`: invokes one function cold, then warm, and shows the two REPORT lines side by side,
 * with the cold start broken into its parts — the lifecycle `sam local invoke` (always cold) cannot
 * show. Default: DataLoaderTestFunction with test_events/data_loader.json, whose loader keeps tables
 * in module state, so the warm call answers from memory.
 */
import { defineCommand } from '../command';
import { LarderError } from '../../errors';
import { readEvent } from '../../local/eventInput';
import { createLocalRuntime } from '../../local/localRuntime';
import { runtimeArgs } from '../runtimeArgs';
import { prepareLocalData } from '../../local/localData';
import type { InvokeResult } from '../../local/emulator';

export default defineCommand({
  meta: { name: 'demo', description: 'Invoke a function cold, then warm, and show both REPORT lines', usage: 'demo [FUNCTION] [-e EVENT.json]' },
  args: {
    event: { type: 'string', alias: 'e', description: 'Event JSON file', default: 'test_events/data_loader.json' },
    'skip-data': { type: 'boolean', description: 'Do not build or seed the data cache first', default: false },
    ...runtimeArgs,
  },
  async run({ args, positionals }) {
    const name = positionals[0] ?? 'DataLoaderTestFunction';
    const event = await readEvent(args.event);
    const logs: string[] = [];
    const runtime = await createLocalRuntime(args, { log: (l) => logs.push(l), quietServices: true, command: 'demo' });
    try {
      if (!args['skip-data']) await prepareLocalData(runtime.services.env, (line) => console.log(line));
      console.log(`\nInvoking ${name} twice with ${args.event}…`);
      const cold = await runtime.emulator.invoke(name, event, { cold: true });
      const warm = await runtime.emulator.invoke(name, event);
      if (cold.functionError) console.log(`(the function failed: ${cold.error?.errorType}: ${cold.error?.errorMessage})`);
      else console.log(`cold answer: ${summary(cold.payload)}\nwarm answer: ${summary(warm.payload)}`);
      console.log('\n' + sideBySide(cold, warm));
      console.log('\nREPORT lines:');
      console.log(`  cold: ${cold.report.line}`);
      console.log(`  warm: ${warm.report.line}`);
      return cold.functionError || warm.functionError ? 1 : 0;
    } catch (err) {
      if (err instanceof LarderError && err.code === 'FUNCTION_NOT_FOUND') throw new LarderError('FUNCTION_NOT_FOUND', `${err.message} — its handler may not have landed yet; try \`larder demo <Function> -e <event.json>\``);
      throw err;
    } finally {
      await runtime.stop();
    }
  },
});

function summary(payload: string): string {
  return payload.length > 160 ? `${payload.slice(0, 160)}… (${payload.length} bytes)` : payload;
}

function sideBySide(cold: InvokeResult, warm: InvokeResult): string {
  const ms = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(1)} ms`);
  const init = cold.report.init;
  const rows: [string, string, string][] = [
    ['', 'cold', 'warm'],
    ['Init Duration', ms(cold.report.initDurationMs), '—'],
    ['  node start', ms(init?.processBootMs), '—'],
    ['  TypeScript loader (tsx)', ms(init?.loaderMs), '—'],
    ['  /tmp quota', ms(init?.storageMs), '—'],
    ['  handler module init', ms(init?.handlerInitMs), '—'],
    ['Duration', ms(cold.report.durationMs), ms(warm.report.durationMs)],
    ['Billed Duration', `${cold.report.billedDurationMs} ms`, `${warm.report.billedDurationMs} ms`],
    ['Max Memory Used', `${cold.report.maxMemoryUsedMb} MB`, `${warm.report.maxMemoryUsedMb} MB`],
    ['Memory Size', `${cold.report.memorySizeMb} MB`, `${warm.report.memorySizeMb} MB`],
    ['Round trip', ms(cold.roundTripMs), ms(warm.roundTripMs)],
    ['Sandbox', cold.sandboxId, warm.sandboxId],
  ];
  return rows.map(([a, b, c]) => `${a.padEnd(28)}${b.padStart(16)}${c.padStart(16)}`).join('\n');
}
