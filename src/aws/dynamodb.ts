/**
 * The DynamoDB client factories (the registry's table). Imported from here, not from the aws index:
 * see clients.ts.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LarderConfig } from '../config';
import { clientBase, type ClientFactoryOptions } from './clients';

/** The low-level client, for table management (CreateTable, DescribeTable, UpdateTimeToLive). */
export function createDynamoDbClient(config: LarderConfig, options: ClientFactoryOptions = {}): DynamoDBClient {
  const endpoint = options.endpoint ?? config.overrides.endpoints.dynamodb;
  const ddbConfig: DynamoDBClientConfig = clientBase(endpoint, options.region ?? config.s3.region, options.maxAttempts);
  return new DynamoDBClient(ddbConfig);
}

export function createDynamoDocumentClient(config: LarderConfig, options: ClientFactoryOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(config, options), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
