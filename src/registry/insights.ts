/**
 * The spec's read-only views over what the registry keeps: lineage, cost, license check, audit
 * trail, component health and tracks. Separate from ArtifactRegistry (which changes things) so
 * each stays one job; both take the same store.
 */
import { ValidationError } from '../errors';
import type { BlobStore } from './blobs';
import { AUDIT_SK_PREFIX, auditPartition, entryFromItem, type AuditEntry } from './audit';
import { costOf, lineageOf, type ArtifactCost, type LineageGraph } from './graph';
import { componentHealth } from './health';
import { checkLicense } from './licenseCheck';
import { resolveArtifact } from './resolve';
import type { ArtifactStore } from './store';

/** The spec's tracks this registry implements. */
export const PLANNED_TRACKS = ['Access control track', 'Other Security track'] as const;

export class ArtifactInsights {
  constructor(
    private readonly store: ArtifactStore,
    private readonly blobs: BlobStore,
    private readonly leaseMs: number,
  ) {}

  async lineage(idRaw: unknown): Promise<LineageGraph> {
    const model = await resolveArtifact(this.store, 'model', idRaw);
    return lineageOf(this.store, model);
  }

  async cost(typeRaw: unknown, idRaw: unknown, dependencyRaw: string | undefined): Promise<ArtifactCost> {
    const record = await resolveArtifact(this.store, typeRaw, idRaw);
    const dependency = parseBoolean(dependencyRaw, 'dependency');
    return costOf(this.store, record, dependency);
  }

  async licenseCheck(idRaw: unknown, body: Record<string, unknown>): Promise<boolean> {
    const model = await resolveArtifact(this.store, 'model', idRaw);
    return (await checkLicense(this.store, model, body)).compatible;
  }

  /** Newest first; reading the trail is itself recorded (AUDIT), after the read. */
  async audit(typeRaw: unknown, idRaw: unknown): Promise<AuditEntry[]> {
    const record = await resolveArtifact(this.store, typeRaw, idRaw);
    const items = await this.store.queryPartition(auditPartition(record.id), AUDIT_SK_PREFIX);
    const entries = items.map(entryFromItem).reverse();
    await this.store.audit(record, 'AUDIT');
    return entries;
  }

  async health(windowRaw: string | undefined) {
    const window = windowRaw === undefined ? 60 : Number(windowRaw);
    if (!Number.isInteger(window) || window < 5 || window > 1440) throw new ValidationError(`windowMinutes: expected an integer from 5 to 1440, found "${windowRaw}"`);
    return componentHealth(this.store, this.blobs, this.leaseMs, window);
  }

  tracks(): { plannedTracks: string[] } {
    return { plannedTracks: [...PLANNED_TRACKS] };
  }
}

function parseBoolean(raw: string | undefined, field: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ValidationError(`${field}: expected true or false, found "${raw}"`);
}
