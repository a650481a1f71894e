/**
 * The DynamoDB behaviours Larder relies on, against AWS's DynamoDB Local through the fault proxy:
 * GSIs, conditional writes and transactions (which dynalite lacks).
 */
import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient } from '../../../src/aws/dynamodb';
import { testConfig, uniqueName } from '../../setup/services';

let ddb: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  ddb = createDynamoDocumentClient(testConfig());
  table = uniqueName('artifacts');
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
});

describe('local DynamoDB (DynamoDB Local through the fault proxy)', () => {
  it('creates a table with a global secondary index', async () => {
    const described = await ddb.send(new DescribeTableCommand({ TableName: table }));

    expect(described.Table?.TableStatus).toBe('ACTIVE');
    expect(described.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byStatus']);
  });

  it('rejects a conditional put on an existing key with ConditionalCheckFailedException and keeps the first item', async () => {
    await ddb.send(new PutCommand({ TableName: table, Item: { pk: 'cond#1', status: 'ready', createdAt: 1, owner: 'first' } }));

    const second = ddb.send(
      new PutCommand({ TableName: table, Item: { pk: 'cond#1', status: 'ready', createdAt: 2, owner: 'second' }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );

    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const kept = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'cond#1' } }));
    expect(kept.Item?.owner).toBe('first');
  });

  it('cancels a whole transaction when one condition fails (TransactionCanceledException) and writes nothing', async () => {
    await ddb.send(new PutCommand({ TableName: table, Item: { pk: 'tx#taken', status: 'ready', createdAt: 3 } }));

    const tx = ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { pk: 'tx#new', status: 'pending', createdAt: 4 } } },
          { Put: { TableName: table, Item: { pk: 'tx#taken', status: 'pending', createdAt: 5 }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );

    const error = await tx.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    const notWritten = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'tx#new' } }));
    expect(notWritten.Item).toBeUndefined();
  });

  it('queries the GSI by status in createdAt order', async () => {
    for (const [pk, createdAt] of [['gsi#b', 20], ['gsi#a', 10], ['gsi#c', 30]] as const) {
      await ddb.send(new PutCommand({ TableName: table, Item: { pk, status: 'archived', createdAt } }));
    }

    const result = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s AND createdAt >= :from',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'archived', ':from': 15 },
      }),
    );

    expect(result.Items?.map((i) => i.pk)).toEqual(['gsi#b', 'gsi#c']);
  });

  it('refuses a table name shorter than 3 characters', async () => {
    const tooShort = ddb.send(
      new CreateTableCommand({ TableName: 'ab', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    );

    await expect(tooShort).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
