/**
 * Child process of 60-traffic.bench.ts: the clients. Reads {baseUrl, clients, requests} as JSON on
 * stdin, sends them over HTTP with `clients` concurrent connections and no retries (fetch, one
 * attempt each), prints the LoadResult as JSON on stdout. Running apart from both the bench and the
 * server keeps the clients' CPU off either event loop, as a user's load tool would.
 *   node --import tsx scripts/bench/trafficDriver.ts < plan.json
 */
import { runLoad, type LoadRequest } from './trafficLoad';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const plan = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { baseUrl: string; clients: number; requests: LoadRequest[] };
const result = await runLoad(plan.requests, plan.clients, async (r) => {
  const res = await fetch(plan.baseUrl + r.path, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(120_000) });
  return { status: res.status, body: await res.text() };
});
process.stdout.write(JSON.stringify(result) + '\n');
