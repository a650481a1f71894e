/**
 * GET /health/components: the spec's HealthComponentCollection for what the registry stands on —
 * the table (a consistent GetItem), the bucket (HeadBucket) and the ingest queue (the in-flight
 * index: how many ingests are under way, and how many have outlived their lease, which the sweep
 * will fail). Each probe is timed; a failed probe is `critical` with an issue saying why.
 *
 * Metric values are strings with their unit ("12.3 ms", "0"): the spec's HealthMetricValue is
 * `oneOf: [integer, number, string, boolean]`, which no integer can satisfy (it is both an integer
 * and a number), so a JSON integer would break the spec's own schema.
 */
import type { BlobStore } from './blobs';
import type { ArtifactStore } from './store';

type Status = 'ok' | 'degraded' | 'critical';

export interface HealthComponent {
  id: string;
  display_name: string;
  status: Status;
  observed_at: string;
  description: string;
  metrics: Record<string, string>;
  issues: { code: string; severity: 'info' | 'warning' | 'error'; summary: string }[];
}

export async function componentHealth(store: ArtifactStore, blobs: BlobStore, leaseMs: number, windowMinutes = 60): Promise<{ components: HealthComponent[]; generated_at: string; window_minutes: number }> {
  const [table, bucket, queue] = await Promise.all([
    probe('artifact-table', 'Artifact table (DynamoDB)', `registry records in ${store.tableName}`, async () => {
      await store.getItem({ pk: 'HEALTH#probe', sk: 'PROBE' });
      return {};
    }),
    probe('artifact-bucket', 'Artifact bucket (S3)', `artifact bytes in s3://${blobs.bucket}`, async () => {
      await blobs.probe();
      return {};
    }),
    probe('ingest-queue', 'Ingest queue', 'URL ingests under way (pending, downloading, rating) and their leases', async () => {
      const page = await store.queryIndex('inflight', 'INFLIGHT', { limit: 1000 });
      const cutoff = new Date(Date.now() - leaseMs).toISOString();
      const stale = page.items.filter((i) => String(i.inflightSk) < cutoff).length;
      return {
        metrics: { in_flight: String(page.items.length), past_lease: String(stale), lease: `${Math.round(leaseMs / 1000)} s` },
        ...(stale ? { status: 'degraded' as const, issue: { code: 'INGEST_PAST_LEASE', severity: 'warning' as const, summary: `${stale} ingest(s) outlived their lease; the sweep (or the next read) fails them` } } : {}),
      };
    }),
  ]);
  return { components: [table, bucket, queue], generated_at: new Date().toISOString(), window_minutes: windowMinutes };
}

async function probe(
  id: string,
  display_name: string,
  description: string,
  run: () => Promise<{ metrics?: HealthComponent['metrics']; status?: Status; issue?: HealthComponent['issues'][number] }>,
): Promise<HealthComponent> {
  const started = performance.now();
  try {
    const out = await run();
    const latency = `${(performance.now() - started).toFixed(1)} ms`;
    return { id, display_name, status: out.status ?? 'ok', observed_at: new Date().toISOString(), description, metrics: { latency_ms: latency, ...out.metrics }, issues: out.issue ? [out.issue] : [] };
  } catch (err) {
    return {
      id,
      display_name,
      status: 'critical',
      observed_at: new Date().toISOString(),
      description,
      metrics: { latency_ms: `${(performance.now() - started).toFixed(1)} ms` },
      issues: [{ code: 'UNAVAILABLE', severity: 'error', summary: (err as Error).message }],
    };
  }
}
