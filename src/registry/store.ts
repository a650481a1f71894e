/**
 * ArtifactStore: the registry's DynamoDB access. Reads by id are strongly consistent; every write
 * is conditional (a new item must not exist, an update must see the version it read) and goes
 * through withOptimisticRetry; multi-item changes are one TransactWriteItems. No Scan except reset.
 * SDK errors are wrapped here, once, into LarderErrors without the SDK's message.
 */
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { LarderError, NotFoundError, isLarderError } from '../errors';
import { auditItem, type AuditAction } from './audit';
import { fromItem, keys, toItem, type Item, type Key } from './records';
import { RetryableConflict, isRetryableConflict, withOptimisticRetry } from './retry';
import { ARTIFACT_INDEXES } from './table';
import type { ArtifactRecord, ArtifactType } from './types';

export type TxOp = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** One item of a transaction; `onConditionFailed` marks a condition that is an answer (e.g. 409), not a lost race. */
export interface TxItem {
  op: TxOp;
  onConditionFailed?: () => Error;
}

/** DynamoDB's limit on items per TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface Mutation {
  record: ArtifactRecord;
  /** Further items written in the same transaction as the record. */
  items?: TxItem[];
  /** The audit entry written with it (default UPDATE). */
  audit?: AuditAction;
}

export interface IndexPage {
  items: Item[];
  lastKey?: Record<string, unknown>;
}

export class ArtifactStore {
  constructor(
    readonly ddb: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(id: string): Promise<ArtifactRecord | undefined> {
    const out = await this.call('GetItem', () => this.ddb.send(new GetCommand({ TableName: this.tableName, Key: keys.artifact(id), ConsistentRead: true })));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async require(id: string, type?: ArtifactType): Promise<ArtifactRecord> {
    const record = await this.get(id);
    if (!record || (type && record.type !== type)) throw new NotFoundError(`no ${type ?? 'artifact'} with id "${id}"`);
    return record;
  }

  async getItem(key: Key): Promise<Item | undefined> {
    const out = await this.call('GetItem', () => this.ddb.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  /** All items of one base-table partition whose sort key starts with `skPrefix`, strongly consistent. */
  async queryPartition(pk: string, skPrefix: string, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
        ...(limit ? { Limit: limit - items.length } : {}),
      });
      items.push(...out.items);
      startKey = out.lastKey;
    } while (startKey && (!limit || items.length < limit));
    return items;
  }

  /** Up to `limit` items of one partition with fromSk <= sk <= toSk, in key order, strongly consistent. */
  async queryRange(pk: string, fromSk: string, toSk: string, limit: number): Promise<Item[]> {
    const out = await this.query({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': pk, ':from': fromSk, ':to': toSk },
      ConsistentRead: true,
      Limit: limit,
    });
    return out.items;
  }

  /** One page of a GSI (eventually consistent, as GSIs are): sort keys starting with `skPrefix`, or before `skBefore`. */
  async queryIndex(
    index: keyof typeof ARTIFACT_INDEXES,
    pkValue: string,
    options: { skPrefix?: string; skBefore?: string; limit?: number; startKey?: Record<string, unknown> } = {},
  ): Promise<IndexPage> {
    const pkAttr = `${index}Pk`;
    const skAttr = `${index}Sk`;
    const sk = options.skPrefix !== undefined ? { cond: ' AND begins_with(#sk, :sk)', value: options.skPrefix } : options.skBefore !== undefined ? { cond: ' AND #sk < :sk', value: options.skBefore } : undefined;
    return this.query({
      IndexName: ARTIFACT_INDEXES[index],
      KeyConditionExpression: `#pk = :pk${sk?.cond ?? ''}`,
      ExpressionAttributeNames: sk ? { '#pk': pkAttr, '#sk': skAttr } : { '#pk': pkAttr },
      ExpressionAttributeValues: sk ? { ':pk': pkValue, ':sk': sk.value } : { ':pk': pkValue },
      Limit: options.limit,
      ExclusiveStartKey: options.startKey,
    });
  }

  /** Every item of a GSI partition (all pages). */
  async queryIndexAll(index: keyof typeof ARTIFACT_INDEXES, pkValue: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.queryIndex(index, pkValue, { skPrefix, startKey });
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  /** Writes a new record (and whatever must be written with it) in one transaction. */
  async create(record: ArtifactRecord, items: TxItem[] = []): Promise<void> {
    await this.transact([
      {
        op: { Put: { TableName: this.tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
        onConditionFailed: () => new LarderError('INTERNAL', `artifact id "${record.id}" is already taken`),
      },
      ...items,
      this.auditPut(record, 'CREATE'),
    ]);
  }

  /**
   * Read → mutate → write conditional on the version read; retried on conflict. `mutate` returns
   * the new record (version and updatedAt are set here), or undefined to leave it unchanged.
   */
  async update(id: string, what: string, mutate: (current: ArtifactRecord) => Promise<Mutation | undefined> | Mutation | undefined): Promise<ArtifactRecord> {
    return withOptimisticRetry(what, async () => {
      const current = await this.get(id);
      if (!current) throw new NotFoundError(`no artifact with id "${id}"`);
      const change = await mutate(current);
      if (!change) return current;
      const next: ArtifactRecord = { ...change.record, id: current.id, version: current.version + 1, updatedAt: new Date().toISOString() };
      await this.transact([this.versionedPut(next, current.version), ...(change.items ?? []), this.auditPut(next, change.audit ?? 'UPDATE')]);
      return next;
    });
  }

  /** Deletes a record conditional on the version read, with `items` in the same transaction. */
  async delete(record: ArtifactRecord, items: TxItem[] = []): Promise<void> {
    await this.transact([
      {
        op: {
          Delete: {
            TableName: this.tableName,
            Key: keys.artifact(record.id),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': record.version },
          },
        },
      },
      ...items,
    ]);
  }

  /** An audit entry, for a transaction (see audit.ts). */
  auditPut(record: ArtifactRecord, action: AuditAction): TxItem {
    return { op: { Put: { TableName: this.tableName, Item: auditItem(record, action) } } };
  }

  /** An audit entry for a read (DOWNLOAD, RATE, AUDIT): one Put. */
  async audit(record: Pick<ArtifactRecord, 'id' | 'name' | 'type'>, action: AuditAction): Promise<void> {
    await this.call('PutItem', () => this.ddb.send(new PutCommand({ TableName: this.tableName, Item: auditItem(record, action) })));
  }

  versionedPut(record: ArtifactRecord, expectedVersion: number): TxItem {
    return {
      op: {
        Put: {
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
    };
  }

  /**
   * One TransactWriteItems (or a single conditional write when there is one item). A failed
   * condition marked with onConditionFailed throws that answer; any other failed condition or
   * transaction conflict throws RetryableConflict.
   */
  async transact(items: TxItem[]): Promise<void> {
    if (items.length > MAX_TRANSACTION_ITEMS) {
      throw new LarderError('INTERNAL', `this change needs ${items.length} writes in one transaction; DynamoDB allows ${MAX_TRANSACTION_ITEMS}`);
    }
    try {
      if (items.length === 1 && items[0].op.Put) {
        await this.ddb.send(new PutCommand(items[0].op.Put));
        return;
      }
      await this.ddb.send(new TransactWriteCommand({ TransactItems: items.map((i) => i.op) }));
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'ConditionalCheckFailedException') throw items[0].onConditionFailed?.() ?? new RetryableConflict();
      if (name === 'TransactionCanceledException') {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        for (let i = 0; i < reasons.length; i++) {
          if (reasons[i]?.Code === 'ConditionalCheckFailed' && items[i]?.onConditionFailed) throw items[i].onConditionFailed!();
        }
      }
      if (isRetryableConflict(err)) throw new RetryableConflict(`transaction cancelled (${name})`);
      throw wrapDynamoError(err, 'TransactWriteItems');
    }
  }

  /** Deletes every item (DELETE /reset): the one Scan in the registry. Returns the count. */
  async deleteEverything(): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.call('Scan', () =>
        this.ddb.send(new ScanCommand({ TableName: this.tableName, ProjectionExpression: 'pk, sk', ExclusiveStartKey: startKey, ConsistentRead: true })),
      );
      const pending = (out.Items ?? []).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
      for (let i = 0; i < pending.length; i += 25) {
        let batch: typeof pending = pending.slice(i, i + 25);
        for (let attempt = 0; batch.length; attempt++) {
          const res = await this.call('BatchWriteItem', () => this.ddb.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } })));
          const left = (res.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
          deleted += batch.length - left.length;
          batch = left;
          if (batch.length) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  private async query(input: Omit<QueryCommandInput, 'TableName'>): Promise<IndexPage> {
    const out = await this.call('Query', () => this.ddb.send(new QueryCommand({ TableName: this.tableName, ...input })));
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw wrapDynamoError(err, operation);
    }
  }
}

/** A foreign DynamoDB error as a LarderError: the operation and the error's name, never its message. */
export function wrapDynamoError(err: unknown, operation: string): Error {
  if (isLarderError(err) || err instanceof RetryableConflict) return err as Error;
  const name = (err as Error)?.name ?? 'Error';
  if (name === 'ResourceNotFoundException') {
    return new LarderError('UPSTREAM', `the registry table does not exist (${operation})`, { cause: err, statusCode: 500 });
  }
  return new LarderError('UPSTREAM', `the registry table is unavailable (${operation}: ${name})`, { cause: err, statusCode: 500 });
}
