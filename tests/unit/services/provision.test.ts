/**
 * Which services a template needs, and the tables/buckets it declares as create calls — from
 * parsed templates (the real sam init apps where they exist, and inline ones for the rest).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../src/local/template';
import { parseServicesFlag, provisionPlan, servicesNeeded } from '../../../src/local/provision';

const SAM_APPS = resolve(import.meta.dirname, '../../../../shared/sam-apps');
const web = resolve(SAM_APPS, 'nodejs22.x-web/template.yaml');
const hello = resolve(SAM_APPS, 'nodejs22.x-hello/template.yaml');
const s3App = resolve(SAM_APPS, 'nodejs22.x-s3/template.yaml');

const resources = (r: Record<string, { Type: string; Properties?: Record<string, any> }>) => ({ resources: r });

describe('servicesNeeded', () => {
  it.skipIf(!existsSync(web))('the sam init web backend needs DynamoDB only, for its SimpleTable, policies and SAMPLE_TABLE', () => {
    const needs = servicesNeeded(loadTemplate(web));

    expect(needs.services).toEqual(['dynamodb']);
    expect(needs.reasons.dynamodb).toContain('SampleTable (AWS::Serverless::SimpleTable)');
    expect(needs.reasons.dynamodb).toContain("putItemFunction's policy DynamoDBCrudPolicy");
    expect(needs.reasons.dynamodb).toContain("putItemFunction's SAMPLE_TABLE");
  });

  it.skipIf(!existsSync(hello))('the sam init hello world needs nothing', () => {
    expect(servicesNeeded(loadTemplate(hello)).services).toEqual([]);
  });

  it.skipIf(!existsSync(s3App))('the sam init S3 app needs S3', () => {
    expect(servicesNeeded(loadTemplate(s3App, { parameterOverrides: { AppBucketName: 'larder-test-uploads' } })).services).toContain('s3');
  });

  it('reads policy statements, managed policies, event sources and model ids in the environment', () => {
    const fn = (props: Record<string, any>) => ({ Type: 'AWS::Serverless::Function', Properties: props });
    const needs = servicesNeeded(
      resources({
        A: fn({ Policies: [{ Statement: [{ Effect: 'Allow', Action: ['bedrock:InvokeModel'], Resource: '*' }] }] }),
        B: fn({ Events: { Upload: { Type: 'S3', Properties: { Bucket: 'x' } } } }),
        C: fn({ Policies: ['AmazonDynamoDBReadOnlyAccess'] }),
        D: fn({ Environment: { Variables: { MODEL: 'us.anthropic.claude-3-haiku-20240307-v1:0' } } }),
      }),
    );

    expect(needs.services).toEqual(['s3', 'dynamodb', 'bedrock']);
    expect(needs.reasons.bedrock).toEqual(["A's policy bedrock:", "D's MODEL"]);
  });
});

describe('parseServicesFlag', () => {
  it('reads all, none, auto and lists with aliases; rejects unknown names by name', () => {
    expect(parseServicesFlag('all')).toEqual(['s3', 'dynamodb', 'bedrock']);
    expect(parseServicesFlag('none')).toEqual([]);
    expect(parseServicesFlag('auto')).toBeUndefined();
    expect(parseServicesFlag('s3, ddb')).toEqual(['s3', 'dynamodb']);
    expect(() => parseServicesFlag('s3,sqs')).toThrow(/unknown service "sqs"/);
  });
});

describe('provisionPlan', () => {
  it.skipIf(!existsSync(web))('turns the web backend SimpleTable into a PROVISIONED table keyed by id (String) under the name Ref gives', () => {
    const plan = provisionPlan(loadTemplate(web));

    expect(plan.tables).toEqual([
      {
        logicalId: 'SampleTable',
        name: 'SampleTable',
        create: {
          TableName: 'SampleTable',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 },
        },
        ttlAttribute: undefined,
      },
    ]);
  });

  it('keeps keys, GSIs (no throughput on demand), LSIs, streams and TTL of an AWS::DynamoDB::Table, and buckets by BucketName or logical id', () => {
    const plan = provisionPlan(
      resources({
        Orders: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'orders-local',
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'status', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
            GlobalSecondaryIndexes: [{ IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
            LocalSecondaryIndexes: [{ IndexName: 'byPkStatus', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'status', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
            StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
            SSESpecification: { SSEEnabled: true },
          },
        },
        Uploads: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-uploads' } },
        Logs: { Type: 'AWS::S3::Bucket' },
      }),
    );
    const [orders] = plan.tables;

    expect(orders.name).toBe('orders-local');
    expect(orders.create.BillingMode).toBe('PAY_PER_REQUEST');
    expect(orders.create.GlobalSecondaryIndexes).toEqual([{ IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }]);
    expect(orders.create.LocalSecondaryIndexes?.[0].IndexName).toBe('byPkStatus');
    expect(orders.create.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(orders.ttlAttribute).toBe('expiresAt');
    expect(orders.create).not.toHaveProperty('SSESpecification');
    expect(plan.buckets).toEqual([{ logicalId: 'Uploads', name: 'my-uploads' }, { logicalId: 'Logs', name: 'Logs' }]);
  });
});
