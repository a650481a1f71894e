/**
 * The request mix of 60-traffic.bench.ts and how it is measured, shared by the HTTP driver (a child
 * process, trafficDriver.ts) and the in-process baseline, so both run exactly the same requests:
 * N clients, each sending its next request as soon as the previous answered, no retries.
 */
import { performance } from 'node:perf_hooks';

export type LoadKind = 'upload' | 'get' | 'query' | 'ingest';

export interface LoadRequest {
  kind: LoadKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The artifact name an upload or ingest creates (to find lost and duplicated records after). */
  name?: string;
}

export interface LoadSample {
  kind: LoadKind;
  status: number;
  ms: number;
  name?: string;
  /** The id the server gave (uploads and ingests). */
  id?: string;
}

export interface LoadResult {
  samples: LoadSample[];
  wallMs: number;
}

export type SendRequest = (r: LoadRequest) => Promise<{ status: number; body: string }>;

/** Runs the requests with `clients` concurrent clients; a thrown send is recorded as status 0. */
export async function runLoad(requests: LoadRequest[], clients: number, send: SendRequest): Promise<LoadResult> {
  const samples: LoadSample[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(clients, requests.length) }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const start = performance.now();
        let status = 0;
        let id: string | undefined;
        try {
          const res = await send(r);
          status = res.status;
          if (status === 201 || status === 202) id = JSON.parse(res.body)?.metadata?.id;
        } catch {
          status = 0;
        }
        samples.push({ kind: r.kind, status, ms: performance.now() - start, name: r.name, id });
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

export interface KindSummary {
  n: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  byStatus: Record<string, number>;
}

export function summarize(result: LoadResult, kind: LoadKind): KindSummary {
  const own = result.samples.filter((s) => s.kind === kind);
  const ms = own.map((s) => s.ms).sort((a, b) => a - b);
  const pct = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))] : 0);
  const byStatus: Record<string, number> = {};
  for (const s of own) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  const spanMs = own.length ? Math.max(...own.map((s) => s.ms)) : 0;
  return { n: own.length, perSecond: own.length / (Math.max(result.wallMs, spanMs) / 1000), p50: pct(50), p95: pct(95), p99: pct(99), byStatus };
}

/** The mix: uploads of distinct names, then GETs of what was uploaded, then questions. */
export function uploadRequests(prefix: string, n: number): LoadRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'upload' as const,
    method: 'POST',
    path: '/artifact/dataset',
    headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': `${prefix}-${i}` },
    body: `id,value\n${i},${'x'.repeat(4096)}\n`,
    name: `${prefix}-${i}`,
  }));
}

export function getRequests(ids: string[], n: number): LoadRequest[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'get' as const, method: 'GET', path: `/artifacts/dataset/${ids[i % ids.length]}`, headers: {} }));
}

const QUESTIONS = ['What supply chain risks did NVIDIA describe in its 10-K?', 'How did Apple describe competition in its annual report?', 'What did Microsoft say about cloud revenue growth?', 'Which risks related to interest rates were mentioned?'];

export function queryRequests(n: number): LoadRequest[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'query' as const, method: 'POST', path: '/query', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: QUESTIONS[i % QUESTIONS.length] }) }));
}

export function ingestRequests(prefix: string, bucket: string, n: number): LoadRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'ingest' as const,
    method: 'POST',
    path: '/artifact/dataset',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `s3://${bucket}/incoming/bench-sources/${prefix}-${i}.csv`, name: `${prefix}-${i}` }),
    name: `${prefix}-${i}`,
  }));
}
