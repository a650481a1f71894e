/**
 * Creates a template's tables and buckets in the local services before the first invocation.
 * Idempotent: a table or bucket that exists is left alone with its data (no compare, no update), so
 * every command can run it against a shared stack. Only ever pointed at local endpoints (the
 * caller checks); each failure is reported per resource and the rest still runs.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, ResourceNotFoundException, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../../errors';
import type { BucketPlan, ProvisionPlan, TablePlan } from './plan';

export interface ProvisionResult {
  resource: string;
  kind: 'table' | 'bucket';
  name: string;
  outcome: 'created' | 'exists' | 'failed' | 'skipped';
  detail?: string;
}

export interface ProvisionClients {
  dynamodb?: Pick<DynamoDBClient, 'send'>;
  s3?: Pick<S3Client, 'send'>;
}

export async function applyProvisionPlan(plan: ProvisionPlan, clients: ProvisionClients): Promise<ProvisionResult[]> {
  const tables = plan.tables.map((t) =>
    clients.dynamodb ? ensureTable(clients.dynamodb, t) : Promise.resolve<ProvisionResult>({ resource: t.logicalId, kind: 'table', name: t.name, outcome: 'skipped', detail: 'no local DynamoDB' }),
  );
  const buckets = plan.buckets.map((b) =>
    clients.s3 ? ensureBucket(clients.s3, b) : Promise.resolve<ProvisionResult>({ resource: b.logicalId, kind: 'bucket', name: b.name, outcome: 'skipped', detail: 'no local S3' }),
  );
  const unresolved = plan.unresolved.map<ProvisionResult>((u) => ({ resource: u.logicalId, kind: u.kind, name: u.logicalId, outcome: 'skipped', detail: u.reason }));
  return [...(await Promise.all([...tables, ...buckets])), ...unresolved];
}

async function ensureTable(ddb: Pick<DynamoDBClient, 'send'>, t: TablePlan): Promise<ProvisionResult> {
  const result = (outcome: ProvisionResult['outcome'], detail?: string): ProvisionResult => ({ resource: t.logicalId, kind: 'table', name: t.name, outcome, detail });
  try {
    await ddb.send(new DescribeTableCommand({ TableName: t.name }));
    return result('exists');
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) return result('failed', describeError(err));
  }
  try {
    await ddb.send(new CreateTableCommand(t.create));
  } catch (err) {
    // Another process created it between our two calls: it exists, which is what we wanted.
    if (err instanceof ResourceInUseException) return result('exists');
    return result('failed', describeError(err));
  }
  if (t.ttlAttribute) {
    try {
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: true, AttributeName: t.ttlAttribute } }));
    } catch (err) {
      return result('created', `TTL on ${t.ttlAttribute} not set: ${describeError(err)}`);
    }
  }
  const indexes = (t.create.GlobalSecondaryIndexes?.length ?? 0) + (t.create.LocalSecondaryIndexes?.length ?? 0);
  return result('created', [t.create.BillingMode, indexes ? `${indexes} index${indexes > 1 ? 'es' : ''}` : '', t.ttlAttribute ? `TTL ${t.ttlAttribute}` : ''].filter(Boolean).join(', '));
}

async function ensureBucket(s3: Pick<S3Client, 'send'>, b: BucketPlan): Promise<ProvisionResult> {
  const result = (outcome: ProvisionResult['outcome'], detail?: string): ProvisionResult => ({ resource: b.logicalId, kind: 'bucket', name: b.name, outcome, detail });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: b.name }));
    return result('exists');
  } catch {
    // not there (or not reachable: CreateBucket says which)
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: b.name }));
    return result('created');
  } catch (err) {
    if (err instanceof BucketAlreadyOwnedByYou || err instanceof BucketAlreadyExists) return result('exists');
    return result('failed', describeError(err));
  }
}

/** One line per resource for the start-up output. */
export function describeProvisioning(results: ProvisionResult[]): string[] {
  return results.map((r) => {
    const mark = r.outcome === 'failed' ? '✗' : r.outcome === 'skipped' ? '·' : '✓';
    const what = r.outcome === 'exists' ? 'exists (left as is)' : r.outcome;
    return `  ${mark} ${r.kind} ${r.name} (${r.resource}): ${what}${r.detail ? ` — ${r.detail}` : ''}`;
  });
}
