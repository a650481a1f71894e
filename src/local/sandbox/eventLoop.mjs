/**
 * `context.callbackWaitsForEmptyEventLoop` (default true): Lambda's runtime answers a callback-style
 * handler only once the event loop is empty (its 'beforeExit'). Our sandbox keeps an IPC channel open,
 * so the loop is never empty; instead we wait until every handle and request the invocation added
 * (timers, sockets, file operations) is gone, compared with what was active before the handler ran.
 * The function's Timeout still bounds the wait: the supervisor kills the sandbox, as Lambda would.
 */
function counts(list) {
  const out = new Map();
  for (const t of list) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

export function activeResources() {
  return counts(process.getActiveResourcesInfo());
}

/** Resolves when the resources active now are no more than `baseline`, polling every few ms. */
export function waitForEmptyEventLoop(baseline) {
  return new Promise((resolve) => {
    const check = () => {
      const now = counts(process.getActiveResourcesInfo());
      // Our own poll timer is not the handler's work.
      now.set('Timeout', (now.get('Timeout') ?? 1) - 1);
      for (const [type, n] of now) if (n > (baseline.get(type) ?? 0)) return void setTimeout(check, 2);
      resolve();
    };
    setTimeout(check, 0);
  });
}
