/**
 * Where queued Event invocations live between attempts. The file store keeps one JSON file per
 * event (written to a temp name, then renamed: a crash never leaves half a record), so events
 * accepted with a 202 survive an emulator restart. Each record names its owner (pid + emulator
 * instance); a starting emulator adopts the records whose owner is gone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LambdaErrorPayload } from '../sandbox';

export interface QueuedEvent {
  /** The invocation's request id (kept across retries, as Lambda does). */
  id: string;
  functionId: string;
  event: unknown;
  /** Epoch ms when the event was accepted. */
  enqueuedAt: number;
  /** Invocations that ended in a function error. */
  attempts: number;
  /** Throttles and emulator errors (retried until the event's age runs out, as Lambda does). */
  throttles: number;
  nextAttemptAt: number;
  lastError?: LambdaErrorPayload;
  owner?: string;
}

export interface AsyncEventStore {
  readonly durable: boolean;
  put(record: QueuedEvent): void;
  remove(id: string): void;
  /** Records this store may deliver now: its own, plus those of owners no longer running (adopted). */
  adoptOrphans(owner: string): QueuedEvent[];
}

/** Instances alive in this process: their records are not orphans even though the pid is ours. */
const liveOwners = new Set<string>();

export function newOwnerToken(): string {
  const token = `${process.pid}:${randomUUID().slice(0, 8)}`;
  liveOwners.add(token);
  return token;
}

export function retireOwnerToken(token: string): void {
  liveOwners.delete(token);
}

function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  if (liveOwners.has(owner)) return true;
  const pid = Number(owner.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileEventStore implements AsyncEventStore {
  readonly durable = true;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  put(record: QueuedEvent): void {
    const tmp = join(this.dir, `.${record.id}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(this.dir, `${record.id}.json`));
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }

  adoptOrphans(owner: string): QueuedEvent[] {
    const adopted: QueuedEvent[] = [];
    for (const record of readQueuedEvents(this.dir)) {
      if (record.owner !== owner && ownerAlive(record.owner)) continue;
      record.owner = owner;
      this.put(record);
      adopted.push(record);
    }
    return adopted.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  }
}

/** Reads every queued event in a queue folder (for `larder events`); unreadable files are skipped. */
export function readQueuedEvents(dir: string): QueuedEvent[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: QueuedEvent[] = [];
  for (const name of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    } catch {
      // Removed between listing and reading (delivered meanwhile): nothing to show.
    }
  }
  return out;
}

/** Without a folder (tests, benchmarks): the queue lives only as long as the emulator. */
export class MemoryEventStore implements AsyncEventStore {
  readonly durable = false;
  private readonly records = new Map<string, QueuedEvent>();
  put(record: QueuedEvent): void {
    this.records.set(record.id, structuredClone(record));
  }
  remove(id: string): void {
    this.records.delete(id);
  }
  adoptOrphans(): QueuedEvent[] {
    return [...this.records.values()];
  }
}
