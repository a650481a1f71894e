/**
 * The tables and buckets a template declares, as the create calls that would make them locally,
 * with the names its functions see (`Ref` gives TableName/BucketName, else the logical id — the
 * same rule as src/local/intrinsics.ts, which resolved these properties already).
 *
 *   AWS::Serverless::SimpleTable  PrimaryKey (default id: String), ProvisionedThroughput → PROVISIONED
 *                                 (else PAY_PER_REQUEST)
 *   AWS::DynamoDB::Table          KeySchema, AttributeDefinitions, BillingMode, ProvisionedThroughput,
 *                                 GlobalSecondaryIndexes, LocalSecondaryIndexes, StreamSpecification,
 *                                 TimeToLiveSpecification
 *   AWS::S3::Bucket               BucketName (else the logical id, as Ref gives it locally)
 * Properties that have no local meaning (SSE, tags, PITR, replicas) are left out.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { containsUnresolved, type LoadedTemplate } from '../template';

export interface TablePlan {
  logicalId: string;
  name: string;
  create: CreateTableCommandInput;
  /** TimeToLiveSpecification.AttributeName when enabled. */
  ttlAttribute?: string;
}

export interface BucketPlan {
  logicalId: string;
  name: string;
}

export interface ProvisionPlan {
  tables: TablePlan[];
  buckets: BucketPlan[];
  /** Resources left out because a property they need did not resolve locally, with why. */
  unresolved: { logicalId: string; kind: 'table' | 'bucket'; reason: string }[];
}

const PROVISIONED_TYPES = new Set(['AWS::Serverless::SimpleTable', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket']);
const SIMPLE_TYPES: Record<string, 'S' | 'N' | 'B'> = { String: 'S', Number: 'N', Binary: 'B' };

export function provisionPlan(template: Pick<LoadedTemplate, 'resources'>): ProvisionPlan {
  const plan: ProvisionPlan = { tables: [], buckets: [], unresolved: [] };
  for (const [logicalId, res] of Object.entries(template.resources)) {
    const p: Record<string, any> = res.Properties ?? {};
    const kind = res.Type === 'AWS::S3::Bucket' ? 'bucket' : 'table';
    if (PROVISIONED_TYPES.has(res.Type) && containsUnresolved(p)) {
      plan.unresolved.push({ logicalId, kind, reason: 'a property did not resolve locally (see the template warnings)' });
      continue;
    }
    if (res.Type === 'AWS::Serverless::SimpleTable') plan.tables.push(simpleTable(logicalId, p));
    else if (res.Type === 'AWS::DynamoDB::Table') plan.tables.push(dynamoTable(logicalId, p));
    else if (res.Type === 'AWS::S3::Bucket') plan.buckets.push({ logicalId, name: String(p.BucketName ?? logicalId) });
  }
  return plan;
}

function simpleTable(logicalId: string, p: Record<string, any>): TablePlan {
  const name = String(p.TableName ?? logicalId);
  const key = { Name: String(p.PrimaryKey?.Name ?? 'id'), Type: String(p.PrimaryKey?.Type ?? 'String') };
  return {
    logicalId,
    name,
    create: {
      TableName: name,
      KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: SIMPLE_TYPES[key.Type] ?? 'S' }],
      ...billing(undefined, p.ProvisionedThroughput),
    },
  };
}

function dynamoTable(logicalId: string, p: Record<string, any>): TablePlan {
  const name = String(p.TableName ?? logicalId);
  const create: CreateTableCommandInput = {
    TableName: name,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    ...billing(p.BillingMode, p.ProvisionedThroughput),
  };
  const onDemand = create.BillingMode === 'PAY_PER_REQUEST';
  if (Array.isArray(p.GlobalSecondaryIndexes) && p.GlobalSecondaryIndexes.length) {
    create.GlobalSecondaryIndexes = p.GlobalSecondaryIndexes.map((g: Record<string, any>) => ({
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: g.Projection ?? { ProjectionType: 'ALL' },
      ...(onDemand ? {} : { ProvisionedThroughput: throughput(g.ProvisionedThroughput) }),
    }));
  }
  if (Array.isArray(p.LocalSecondaryIndexes) && p.LocalSecondaryIndexes.length) {
    create.LocalSecondaryIndexes = p.LocalSecondaryIndexes.map((l: Record<string, any>) => ({ IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection ?? { ProjectionType: 'ALL' } }));
  }
  if (p.StreamSpecification?.StreamViewType) create.StreamSpecification = { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType };
  const ttl = p.TimeToLiveSpecification;
  return { logicalId, name, create, ttlAttribute: ttl && ttl.Enabled !== false && ttl.Enabled !== 'false' && ttl.AttributeName ? String(ttl.AttributeName) : undefined };
}

function billing(mode: unknown, provisioned: Record<string, unknown> | undefined): Pick<CreateTableCommandInput, 'BillingMode' | 'ProvisionedThroughput'> {
  if (mode === 'PAY_PER_REQUEST' || (mode === undefined && !provisioned)) return { BillingMode: 'PAY_PER_REQUEST' };
  return { BillingMode: 'PROVISIONED', ProvisionedThroughput: throughput(provisioned) };
}

function throughput(t: Record<string, unknown> | undefined): { ReadCapacityUnits: number; WriteCapacityUnits: number } {
  return { ReadCapacityUnits: Number(t?.ReadCapacityUnits ?? 5), WriteCapacityUnits: Number(t?.WriteCapacityUnits ?? 5) };
}
