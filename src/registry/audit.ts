/**
 * The audit trail (the spec's ArtifactAuditEntry): who did what to an artifact, when. Changes
 * (CREATE, UPDATE) are written by ArtifactStore in the same transaction as the change itself, so
 * the trail can neither miss a change nor record one that did not happen; reads the spec audits
 * (DOWNLOAD, RATE, AUDIT) are single Puts. The acting user travels with the request in an
 * AsyncLocalStorage (set by the handler once the token is checked), not through every signature.
 *
 *   AUDIT#{artifactId} / E#{date}#{random}   {user, date, artifact, action}
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { AuthUser } from './auth';
import type { ArtifactMetadata, ArtifactRecord } from './types';

export type AuditAction = 'CREATE' | 'UPDATE' | 'DOWNLOAD' | 'RATE' | 'AUDIT';

export interface AuditEntry {
  user: AuthUser;
  date: string;
  artifact: ArtifactMetadata;
  action: AuditAction;
}

/** Who acts when no request names a user (access control off, the ingest worker, the sweep). */
export const SYSTEM_ACTOR: AuthUser = { name: 'anonymous', is_admin: false };

const actors = new AsyncLocalStorage<AuthUser>();

export function runAs<T>(user: AuthUser, fn: () => Promise<T>): Promise<T> {
  return actors.run(user, fn);
}

export function currentActor(): AuthUser {
  return actors.getStore() ?? SYSTEM_ACTOR;
}

export const AUDIT_SK_PREFIX = 'E#';

export function auditPartition(artifactId: string): string {
  return `AUDIT#${artifactId}`;
}

export function auditItem(record: Pick<ArtifactRecord, 'id' | 'name' | 'type'>, action: AuditAction, date = new Date().toISOString()): Record<string, unknown> {
  const entry: AuditEntry = { user: currentActor(), date, artifact: { name: record.name, id: record.id, type: record.type }, action };
  return { pk: auditPartition(record.id), sk: `${AUDIT_SK_PREFIX}${date}#${randomBytes(6).toString('hex')}`, entity: 'audit', ...entry };
}

export function entryFromItem(item: Record<string, unknown>): AuditEntry {
  return { user: item.user as AuthUser, date: item.date as string, artifact: item.artifact as ArtifactMetadata, action: item.action as AuditAction };
}
