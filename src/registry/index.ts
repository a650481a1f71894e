/**
 * The artifact registry: models, datasets and code over one DynamoDB table and an S3 prefix, with
 * async ingest by URL. `createRegistryRuntime` wires the pieces from the config and received clients.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LarderConfig } from '../config';
import { Authenticator, type AuthSettings } from './auth';
import { BlobStore } from './blobs';
import { ArtifactInsights } from './insights';
import { EgressGuard, type EgressPolicy } from './egress';
import type { SourceFetcher } from './download';
import { runIngest, type IngestDeps, type IngestOutcome } from './ingest';
import type { IngestInvoker } from './invoker';
import { PresignedUploads } from './presignedUpload';
import { createDefaultRater, type Rater } from './rater';
import type { SearchBudget } from './regex';
import { ArtifactRegistry } from './registry';
import { ArtifactStore } from './store';
import { expireIfStale, sweepStaleIngests, type SweepResult } from './sweep';

export { ArtifactRegistry, type Download, type UploadInput, type IngestInput } from './registry';
export { ArtifactStore } from './store';
export { Authenticator, AuthError, type AuthSettings, type AuthUser } from './auth';
export { ArtifactInsights } from './insights';
export { runAs, type AuditEntry } from './audit';
export { EgressGuard, isPublicAddress, type EgressPolicy } from './egress';
export { BlobStore } from './blobs';
export { PresignedUploads, settleUpload, isS3Event, largeBodyError, UPLOAD_URL_ROUTE, type S3Event, type UploadTicket, type UploadUrlInput } from './presignedUpload';
export { artifactTableDefinition, ensureArtifactTable, ARTIFACT_INDEXES } from './table';
export { sweepStaleIngests, type SweepResult } from './sweep';
export { runIngest, type IngestOutcome, type IngestDeps } from './ingest';
export { lambdaIngestInvoker, backgroundIngestInvoker, type IngestInvoker, type IngestEvent } from './invoker';
export { createDefaultRater, rateOffline, type Rater, type RatingInput, type RatingOutcome } from './rater';
export { parseMultipart, type MultipartBody } from './multipart';
export { compileSearchPattern } from './regex';
export { newArtifactId } from './names';
export { toItem, fromItem, toSeedModel, keys } from './records';
export * from './types';

export interface RegistryRuntimeOptions {
  s3: S3Client;
  ddb: DynamoDBDocumentClient;
  /** How ingests are started; given the runtime's own `ingest` for in-process use. */
  invoker: (ingest: (artifactId: string) => Promise<IngestOutcome>) => IngestInvoker;
  rater?: Rater;
  fetchSource?: SourceFetcher;
  /** Overrides of config values (tests use smaller limits). */
  limits?: Partial<RegistryRuntime['limits']>;
  bucket?: string;
  tableName?: string;
  /** Overrides of registry.auth (the wiring applies LARDER_REGISTRY_AUTH / LARDER_ADMIN_PASSWORD; tests set their own). */
  auth?: Partial<Omit<AuthSettings, 'adminUser'>>;
  /** Overrides of registry.ingest (tests allow their loopback source server and their bucket). */
  ingestPolicy?: Partial<EgressPolicy & { timeoutMs: number; maxRedirects: number; leaseSeconds: number }>;
}

export interface RegistryRuntime {
  registry: ArtifactRegistry;
  insights: ArtifactInsights;
  auth: Authenticator;
  store: ArtifactStore;
  blobs: BlobStore;
  ingestDeps: IngestDeps;
  /** Large artifacts through presigned S3 PUTs (POST /artifact/{type}/upload-url). */
  uploads: PresignedUploads;
  ingest: (artifactId: string) => Promise<IngestOutcome>;
  /** Fails the ingests whose lease ran out (the scheduled IngestSweepFunction). */
  sweep: () => Promise<SweepResult>;
  limits: { maxUploadBytes: number; maxIngestBytes: number; inlineDownloadMaxBytes: number; minNetScore: number; gateUploads: boolean; searchBudget: SearchBudget };
}

export function createRegistryRuntime(config: LarderConfig, options: RegistryRuntimeOptions): RegistryRuntime {
  const r = config.registry;
  const limits = {
    maxUploadBytes: options.limits?.maxUploadBytes ?? r.max_upload_bytes,
    maxIngestBytes: options.limits?.maxIngestBytes ?? r.max_ingest_bytes,
    inlineDownloadMaxBytes: options.limits?.inlineDownloadMaxBytes ?? r.inline_download_max_bytes,
    minNetScore: options.limits?.minNetScore ?? r.min_net_score,
    gateUploads: options.limits?.gateUploads ?? r.gate_uploads,
    searchBudget: options.limits?.searchBudget ?? { timeMs: r.search.budget_ms, maxChars: r.search.max_chars },
  };
  const store = new ArtifactStore(options.ddb, options.tableName ?? r.table_name);
  const blobs = new BlobStore(options.s3, options.bucket ?? config.s3.bucket, config.s3.artifacts_prefix);
  const rater = options.rater ?? createDefaultRater();
  const policy = { ...r.ingest, ...options.ingestPolicy };
  const egress = new EgressGuard({ allowHosts: policy.allowHosts ?? policy.allow_hosts, s3Buckets: policy.s3Buckets ?? policy.s3_buckets });
  const ingestDeps: IngestDeps = {
    store,
    blobs,
    rater,
    maxIngestBytes: limits.maxIngestBytes,
    minNetScore: limits.minNetScore,
    fetchSource: options.fetchSource,
    egress,
    sourceTimeoutMs: policy.timeoutMs ?? policy.timeout_ms,
    maxRedirects: policy.maxRedirects ?? policy.max_redirects,
    leaseMs: (policy.leaseSeconds ?? policy.lease_seconds) * 1000,
    gateUploads: limits.gateUploads,
  };
  const ingest = (artifactId: string) => runIngest(ingestDeps, artifactId);
  const registry = new ArtifactRegistry({ store, blobs, rater, invokeIngest: options.invoker(ingest), limits, egress, expireIfStale: (r) => expireIfStale(ingestDeps, r) });
  const insights = new ArtifactInsights(store, blobs, ingestDeps.leaseMs!);
  const auth = new Authenticator(store, {
    mode: options.auth?.mode ?? r.auth.mode,
    adminUser: r.auth.admin_user,
    adminPassword: options.auth?.adminPassword ?? r.auth.admin_password,
    tokenTtlSeconds: options.auth?.tokenTtlSeconds ?? r.auth.token_ttl_seconds,
    tokenMaxUses: options.auth?.tokenMaxUses ?? r.auth.token_max_uses,
  });
  return { registry, insights, auth, store, blobs, ingestDeps, uploads: new PresignedUploads(ingestDeps), ingest, sweep: () => sweepStaleIngests(ingestDeps), limits };
}
