/**
 * The registry's one DynamoDB table: its definition (the SAM template declares the same keys and
 * GSIs; a test compares them) and a create-if-missing for local runs and tests.
 *
 *   base table  pk (S) HASH, sk (S) RANGE     by id, URL markers, name partitions (consistent reads)
 *   byName      byNamePk = nameNorm, byNameSk = "{type}#{createdAt}#{id}"   GET byName, ArtifactQuery by name
 *   byType      byTypePk = type,     byTypeSk = "{nameNorm}#{createdAt}#{id}" ArtifactQuery "*", regex search
 *   inflight    inflightPk = "INFLIGHT", inflightSk = "{updatedAt}#{id}"  only while pending/downloading/rating:
 *               the sweep finds ingests whose lease (updatedAt + lease_seconds) ran out (sweep.ts)
 * Lookup by source URL is a GetItem on its marker (URL#{sha256}) in the base table: strongly
 * consistent, and the same item that makes a duplicate URL an atomic 409.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LarderError } from '../errors';

export const ARTIFACT_INDEXES = { byName: 'byName', byType: 'byType', inflight: 'inflight' } as const;

export function artifactTableDefinition(tableName: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'byNamePk', AttributeType: 'S' },
      { AttributeName: 'byNameSk', AttributeType: 'S' },
      { AttributeName: 'byTypePk', AttributeType: 'S' },
      { AttributeName: 'byTypeSk', AttributeType: 'S' },
      { AttributeName: 'inflightPk', AttributeType: 'S' },
      { AttributeName: 'inflightSk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ARTIFACT_INDEXES.byName,
        KeySchema: [
          { AttributeName: 'byNamePk', KeyType: 'HASH' },
          { AttributeName: 'byNameSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: ARTIFACT_INDEXES.byType,
        KeySchema: [
          { AttributeName: 'byTypePk', KeyType: 'HASH' },
          { AttributeName: 'byTypeSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: ARTIFACT_INDEXES.inflight,
        KeySchema: [
          { AttributeName: 'inflightPk', KeyType: 'HASH' },
          { AttributeName: 'inflightSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/** Creates the table when it does not exist and waits until it is ACTIVE. Safe to call concurrently. */
export async function ensureArtifactTable(ddb: DynamoDBClient | DynamoDBDocumentClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const client = ddb as DynamoDBClient;
  if ((await tableStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(artifactTableDefinition(tableName)));
    } catch (err) {
      if ((err as Error).name !== 'ResourceInUseException') {
        throw new LarderError('UPSTREAM', `could not create the registry table "${tableName}" (${(err as Error).name})`, { cause: err, statusCode: 500 });
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  while ((await tableStatus(client, tableName)) !== 'ACTIVE') {
    if (Date.now() > deadline) throw new LarderError('UPSTREAM', `registry table "${tableName}" did not become ACTIVE within ${timeoutMs} ms`, { statusCode: 500 });
    await new Promise((r) => setTimeout(r, 100));
  }
  await addMissingIndexes(client, tableName);
}

/** A table made by an older Larder (local state kept in .larder/) gets the indexes added since. */
async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const have = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const definition = artifactTableDefinition(tableName);
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (have.has(index.IndexName)) continue;
    const names = new Set(index.KeySchema!.map((k) => k.AttributeName));
    await client
      .send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: definition.AttributeDefinitions!.filter((a) => names.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
        }),
      )
      .catch((err) => {
        throw new LarderError('UPSTREAM', `could not add index "${index.IndexName}" to the registry table (${(err as Error).name})`, { cause: err, statusCode: 500 });
      });
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus ?? 'ACTIVE';
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw new LarderError('UPSTREAM', `could not describe the registry table "${tableName}" (${(err as Error).name})`, { cause: err, statusCode: 500 });
  }
}
