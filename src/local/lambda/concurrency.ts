/**
 * How many invocations of a function may run at once, and how many sandboxes may initialise at once
 * on this machine.
 *
 * Lambda scales a function to the account's concurrency (1,000 by default) and throttles (429) only
 * past it or past the function's ReservedConcurrentExecutions. Locally the limit is those same two
 * numbers (plus an explicit `--max-concurrency` cap), but cold starts are admitted through a gate as
 * wide as the machine's cores: twenty Node processes initialising at once on two cores starve each
 * other into init timeouts a real account would never give. Invocations that find no warm sandbox
 * wait, in arrival order, for either a warm one or an admitted cold start.
 */
import { availableParallelism } from 'node:os';
import type { FunctionDefinition, LoadedTemplate } from '../template';
import { LarderError } from '../../errors';

/** Lambda's default account concurrency, the limit when nothing narrower is set. */
export const ACCOUNT_CONCURRENCY = 1000;

export interface ConcurrencyLimit {
  max: number;
  /** Where the number comes from, quoted in the 429's message. */
  source: 'ReservedConcurrentExecutions' | '--max-concurrency' | 'account default';
}

/** The function's limit: its ReservedConcurrentExecutions, else the local cap, else Lambda's account default. */
export function concurrencyLimitOf(template: LoadedTemplate, fn: FunctionDefinition, localCap?: number): ConcurrencyLimit {
  const reserved = template.resources[fn.logicalId]?.Properties?.ReservedConcurrentExecutions;
  if (reserved !== undefined && reserved !== null) {
    const n = Number(reserved);
    if (!Number.isInteger(n) || n < 0) {
      throw new LarderError('TEMPLATE_INVALID', `${template.path}: Resources.${fn.logicalId}.Properties.ReservedConcurrentExecutions: expected a whole number ≥ 0, found ${JSON.stringify(reserved)}`);
    }
    return { max: localCap !== undefined ? Math.min(n, localCap) : n, source: localCap !== undefined && localCap < n ? '--max-concurrency' : 'ReservedConcurrentExecutions' };
  }
  if (localCap !== undefined) return { max: localCap, source: '--max-concurrency' };
  return { max: ACCOUNT_CONCURRENCY, source: 'account default' };
}

/**
 * A FIFO semaphore for sandbox initialisation, shared by every function of one emulator. `acquire`
 * resolves with a release function; callers that no longer need the slot release it at once.
 */
export class ColdStartGate {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly width: number = defaultColdStartWidth()) {
    if (!Number.isInteger(width) || width < 1) throw new LarderError('VALIDATION', `cold-start concurrency: expected a whole number ≥ 1, found ${width}`);
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.running++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.running--;
          this.queue.shift()?.();
        });
      };
      if (this.running < this.width) grant();
      else this.queue.push(grant);
    });
  }

  get waiting(): number {
    return this.queue.length;
  }
}

/** One cold start per core: a Node sandbox's init is CPU-bound (module loading, JIT). */
export function defaultColdStartWidth(): number {
  return Math.max(1, availableParallelism());
}
