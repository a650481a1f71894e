/**
 * Counts SDK round trips per operation by adding a middleware to a client's stack. Tests use it to
 * prove that a cache hit made no GetObject; the loader's stats and the bench use it too.
 */
interface MiddlewareStackLike {
  add: (middleware: any, options: { step: 'initialize'; name: string; override?: boolean }) => void;
  remove: (name: string) => boolean;
}

export interface RequestCounter {
  counts: Record<string, number>;
  get: (operation: string) => number;
  total: () => number;
  reset: () => void;
  detach: () => void;
}

let seq = 0;

export function countRequests(client: { middlewareStack: MiddlewareStackLike }): RequestCounter {
  const counts: Record<string, number> = {};
  const name = `larderRequestCounter${++seq}`;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const op = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counts[op] = (counts[op] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name, override: true },
  );
  return {
    counts,
    get: (op) => counts[op] ?? 0,
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    detach: () => void client.middlewareStack.remove(name),
  };
}
