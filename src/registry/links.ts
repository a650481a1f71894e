/**
 * Lazy links between a model and the dataset/code it names. A model that names dataset "squad"
 * gets a WANT item in the partition NAME#dataset#squad; it is linked (`linkedId`) to the oldest
 * dataset of that name, now or when one arrives, and relinked to the next oldest (or unlinked)
 * when that one is deleted or retired — always in the same transaction as the change that caused it.
 *
 * Races: every change to a name partition's members or waiters bumps its HEAD version, conditional
 * on the version read *before* reading members and waiters. A dataset arriving while a model starts
 * to wait for it therefore cannot both miss each other: one transaction fails its HEAD condition and
 * retries, and then sees the other.
 *
 * Invariant (kept by those transactions): while a name has members, every waiter is linked to one.
 * So only the first member of a name reads the waiters to link them; later ones need one Query
 * (HEAD + oldest member, which sort before WANT# items) — fewer round trips per contended attempt.
 */
import type { ArtifactStore, TxItem } from './store';
import { keys, type Item } from './records';
import { LINKABLE_TYPES, RETIRED_STATUSES, type ArtifactRecord, type ArtifactType, type DependencyLink, type LinkableType } from './types';

export function isLinkable(type: ArtifactType): type is LinkableType {
  return (LINKABLE_TYPES as readonly string[]).includes(type);
}

/**
 * Items that add `record` to its name partition (its arrival number is the HEAD version it bumps
 * to) and link the models waiting for it; and, for a model, its WANT items. Returns the record with
 * its `memberSeq` set: write it in the same transaction.
 */
export async function attachItems(store: ArtifactStore, input: ArtifactRecord): Promise<{ record: ArtifactRecord; items: TxItem[] }> {
  const items: TxItem[] = [];
  let record = input;
  const type = input.type;
  if (isLinkable(type)) {
    const { head, members } = await readHeadAndOldest(store, type, record.nameNorm, 1);
    record = { ...record, memberSeq: head + 1 };
    items.push({ op: { Put: { TableName: store.tableName, Item: memberItem(record) } } });
    items.push(headBump(store, type, record.nameNorm, head));
    const target = record.id;
    for (const waiter of members.length ? [] : await readWaiters(store, type, record.nameNorm)) {
      if (waiter.linkedId) continue;
      items.push({
        op: {
          Update: {
            TableName: store.tableName,
            Key: keys.waiter(type, record.nameNorm, waiter.modelId),
            UpdateExpression: 'SET linkedId = :id',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(linkedId)',
            ExpressionAttributeValues: { ':id': target },
          },
        },
      });
    }
  }
  if (record.type === 'model') {
    for (const [type, name] of dependencyEntries(record)) {
      const { head, members } = await readHeadAndOldest(store, type, name, 1);
      const oldest = members[0];
      items.push({
        op: {
          Put: {
            TableName: store.tableName,
            Item: { ...keys.waiter(type, name, record.id), entity: 'waiter', modelId: record.id, linkedId: oldest?.id as string | undefined },
          },
        },
      });
      items.push(headBump(store, type, name, head));
    }
  }
  return { record, items };
}

/** Items that take `record` out of its name partition (relinking its waiters) and drop a model's WANT items. */
export async function detachItems(store: ArtifactStore, record: ArtifactRecord): Promise<TxItem[]> {
  if (RETIRED_STATUSES.includes(record.status)) return []; // already detached when it was retired
  const items: TxItem[] = [];
  if (isLinkable(record.type)) {
    const { head, members } = await readHeadAndOldest(store, record.type, record.nameNorm, 2);
    const replacement = members.map((m) => m.id as string).find((id) => id !== record.id);
    if (record.memberSeq !== undefined) {
      items.push({ op: { Delete: { TableName: store.tableName, Key: keys.member(record.type, record.nameNorm, record.memberSeq, record.id) } } });
    }
    items.push(headBump(store, record.type, record.nameNorm, head));
    for (const waiter of await readWaiters(store, record.type, record.nameNorm)) {
      if (waiter.linkedId !== record.id) continue;
      const key = keys.waiter(record.type, record.nameNorm, waiter.modelId);
      items.push({
        op: {
          Update: replacement
            ? { TableName: store.tableName, Key: key, UpdateExpression: 'SET linkedId = :next', ConditionExpression: 'linkedId = :id', ExpressionAttributeValues: { ':next': replacement, ':id': record.id } }
            : { TableName: store.tableName, Key: key, UpdateExpression: 'REMOVE linkedId', ConditionExpression: 'linkedId = :id', ExpressionAttributeValues: { ':id': record.id } },
        },
      });
    }
  }
  if (record.type === 'model') {
    for (const [type, name] of dependencyEntries(record)) {
      items.push({ op: { Delete: { TableName: store.tableName, Key: keys.waiter(type, name, record.id) } } });
    }
  }
  return items;
}

/** The links of a model's dependencies, read consistently. */
export async function readLinks(store: ArtifactStore, record: ArtifactRecord): Promise<DependencyLink[]> {
  const links: DependencyLink[] = [];
  for (const [type, name] of dependencyEntries(record)) {
    const item = await store.getItem(keys.waiter(type, name, record.id));
    links.push({ type, name, ...(item?.linkedId ? { linkedId: item.linkedId as string } : {}) });
  }
  return links;
}

/** Would a dependency resolve right now (the oldest artifact of that type and name, if any)? */
export async function resolveDependency(store: ArtifactStore, type: LinkableType, nameNorm: string): Promise<string | undefined> {
  const [oldest] = await store.queryPartition(keys.namePartition(type, nameNorm), 'MEMBER#', 1);
  return oldest?.id as string | undefined;
}

function dependencyEntries(record: ArtifactRecord): [LinkableType, string][] {
  return LINKABLE_TYPES.flatMap((t) => (record.dependsOn[t] ? [[t, record.dependsOn[t]!] as [LinkableType, string]] : []));
}

function memberItem(record: ArtifactRecord): Item {
  return { ...keys.member(record.type, record.nameNorm, record.memberSeq!, record.id), entity: 'member', id: record.id, name: record.name, type: record.type, createdAt: record.createdAt };
}

/** HEAD's version (0 when absent) and the oldest `count` members, in one consistent Query: HEAD sorts first, so it is read first. */
async function readHeadAndOldest(store: ArtifactStore, type: ArtifactType, nameNorm: string, count: number): Promise<{ head: number; members: Item[] }> {
  const items = await store.queryRange(keys.namePartition(type, nameNorm), 'HEAD', 'MEMBER#\uffff', count + 1);
  const head = items[0]?.sk === 'HEAD' ? ((items[0].version as number | undefined) ?? 0) : 0;
  return { head, members: items.filter((i) => i.sk !== 'HEAD').slice(0, count) };
}

async function readWaiters(store: ArtifactStore, type: LinkableType, nameNorm: string): Promise<{ modelId: string; linkedId?: string }[]> {
  const items = await store.queryPartition(keys.namePartition(type, nameNorm), 'WANT#');
  return items.map((i) => ({ modelId: i.modelId as string, linkedId: i.linkedId as string | undefined }));
}

function headBump(store: ArtifactStore, type: ArtifactType, nameNorm: string, readVersion: number): TxItem {
  return {
    op: {
      Update: {
        TableName: store.tableName,
        Key: keys.nameHead(type, nameNorm),
        UpdateExpression: 'SET version = :next, entity = :entity',
        ConditionExpression: readVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :read',
        ExpressionAttributeValues: readVersion === 0 ? { ':next': 1, ':entity': 'head' } : { ':next': readVersion + 1, ':read': readVersion, ':entity': 'head' },
      },
    },
  };
}
