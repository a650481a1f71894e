import { describe, expect, it } from 'vitest';
import { SandboxPool, type LaunchSandbox } from '../../../src/local/lambda/sandboxPool';
import { ColdStartGate } from '../../../src/local/lambda/concurrency';
import type { Sandbox } from '../../../src/local/sandbox';
import type { FunctionDefinition } from '../../../src/local/template';

const fn = { logicalId: 'Fn' } as FunctionDefinition;

/** A launch whose sandboxes finish init only when the test says so (no processes: the pool's policy is the point). */
function controlledLaunch() {
  const pending: Array<() => void> = [];
  let n = 0;
  const launch: LaunchSandbox = () =>
    new Promise<Sandbox>((resolve) => {
      const sandbox = { id: `s${++n}`, alive: true, dispose: async () => {} } as unknown as Sandbox;
      pending.push(() => resolve(sandbox));
    });
  return { launch, finishNext: () => pending.shift()!(), get started() { return n; }, get initialising() { return pending.length; } };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SandboxPool', () => {
  it('starts no more cold sandboxes at once than the gate allows, and gives a freed warm one to the oldest waiter first', async () => {
    const l = controlledLaunch();
    const pool = new SandboxPool(fn, { launch: l.launch, gate: new ColdStartGate(1), limit: { max: 1000, source: 'account default' }, idleTimeoutMs: 60_000 });
    const order: number[] = [];
    const leases = [1, 2, 3].map((i) => pool.acquire(10_000).then((lease) => (order.push(i), lease)));
    await tick();
    expect(l.started).toBe(1); // gate width 1
    l.finishNext();
    const first = await leases[0];
    expect(first.coldStart).toBe(true);
    await tick();
    pool.release(first.sandbox, true); // warm sandbox freed before the second cold start finished
    const second = await leases[1];
    expect(second.sandbox.id).toBe(first.sandbox.id);
    expect(second.coldStart).toBe(false);
    expect(order).toEqual([1, 2]);
    l.finishNext(); // the cold start requested for the burst now serves the third waiter
    expect((await leases[2]).coldStart).toBe(true);
    expect(order).toEqual([1, 2, 3]);
    await pool.stop();
  });

  it('throttles past the concurrency limit, naming where the limit comes from', async () => {
    const l = controlledLaunch();
    const pool = new SandboxPool(fn, { launch: l.launch, gate: new ColdStartGate(2), limit: { max: 1, source: 'ReservedConcurrentExecutions' }, idleTimeoutMs: 60_000 });
    const held = pool.acquire(10_000);
    await expect(pool.acquire(10_000)).rejects.toMatchObject({ code: 'THROTTLED', statusCode: 429, message: expect.stringContaining('ReservedConcurrentExecutions') });
    l.finishNext();
    await held;
    await pool.stop();
  });

  it('answers 429 when no sandbox comes within the wait budget, and drops that waiter', async () => {
    const l = controlledLaunch();
    const pool = new SandboxPool(fn, { launch: l.launch, gate: new ColdStartGate(1), limit: { max: 1000, source: 'account default' }, idleTimeoutMs: 60_000 });
    await expect(pool.acquire(20)).rejects.toMatchObject({ code: 'THROTTLED', message: expect.stringContaining('no sandbox became free within') });
    expect(pool.stats().waiting).toBe(0);
    await pool.stop();
  });

  it('keeps a waiter in line past its budget while the pool makes progress (slow cold starts are not failures)', async () => {
    const l = controlledLaunch();
    const pool = new SandboxPool(fn, { launch: l.launch, gate: new ColdStartGate(1), limit: { max: 1000, source: 'account default' }, idleTimeoutMs: 60_000 });
    const first = pool.acquire(40);
    const second = pool.acquire(40);
    await tick();
    setTimeout(() => l.finishNext(), 25); // progress within the second waiter's first budget
    await first;
    await new Promise((r) => setTimeout(r, 30)); // the second waiter's budget has run out once by now
    l.finishNext();
    expect((await second).coldStart).toBe(true);
    await pool.stop();
  });

  it('retires sandboxes on recycle(): a busy one is not reused when released', async () => {
    const l = controlledLaunch();
    const pool = new SandboxPool(fn, { launch: l.launch, gate: new ColdStartGate(1), limit: { max: 1000, source: 'account default' }, idleTimeoutMs: 60_000 });
    const p = pool.acquire(10_000);
    await tick();
    l.finishNext();
    const lease = await p;
    await pool.recycle();
    pool.release(lease.sandbox, true);
    expect(pool.stats()).toMatchObject({ idle: 0, busy: 0 });
    await pool.stop();
  });
});
