/**
 * The registry's own types, and the spec's shapes (ECE 461 OpenAPI v3.4.4: ArtifactMetadata,
 * Artifact, ArtifactData, ArtifactQuery, ModelRating) where it defines them.
 */
export const ARTIFACT_TYPES = ['model', 'dataset', 'code'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

/** Artifact types a model can name as a dependency (and so be linked to lazily). */
export const LINKABLE_TYPES = ['dataset', 'code'] as const;
export type LinkableType = (typeof LINKABLE_TYPES)[number];

/**
 * Life of an artifact. Uploads are `completed` at once; ingests by URL walk
 * pending → downloading → rating → completed | rejected | failed, one conditional step at a time.
 */
export type ArtifactStatus = 'pending' | 'downloading' | 'rating' | 'completed' | 'rejected' | 'failed';
export const TERMINAL_STATUSES: readonly ArtifactStatus[] = ['completed', 'rejected', 'failed'];
/** Statuses whose records are detached: no longer listed, no URL marker, no links. */
export const RETIRED_STATUSES: readonly ArtifactStatus[] = ['rejected', 'failed'];

export interface BlobRef {
  key: string;
  sizeBytes: number;
  contentType: string;
  sha256: string;
  fileName?: string;
}

/** The object a presigned PUT is expected to create; the artifact is registered when it lands. */
export interface PendingUpload {
  key: string;
  contentType: string;
  fileName?: string;
  expiresAt: string;
}

/** Names (normalised) of the artifacts a model depends on. */
export interface Dependencies {
  dataset?: string;
  code?: string;
}

export interface SizeScore {
  raspberry_pi: number;
  jetson_nano: number;
  desktop_pc: number;
  aws_server: number;
}

/** The spec's ModelRating: every metric in [0, 1] and its latency in seconds. */
export interface ModelRating {
  name: string;
  category: string;
  net_score: number;
  net_score_latency: number;
  ramp_up_time: number;
  ramp_up_time_latency: number;
  bus_factor: number;
  bus_factor_latency: number;
  performance_claims: number;
  performance_claims_latency: number;
  license: number;
  license_latency: number;
  dataset_and_code_score: number;
  dataset_and_code_score_latency: number;
  dataset_quality: number;
  dataset_quality_latency: number;
  code_quality: number;
  code_quality_latency: number;
  reproducibility: number;
  reproducibility_latency: number;
  reviewedness: number;
  reviewedness_latency: number;
  tree_score: number;
  tree_score_latency: number;
  size_score: SizeScore;
  size_score_latency: number;
}

/** One artifact as the registry keeps it. `version` grows by one on every write. */
export interface ArtifactRecord {
  id: string;
  type: ArtifactType;
  /** The name as given (trimmed, NFKC). */
  name: string;
  /** The name as matched and keyed (see names.ts normaliseName). */
  nameNorm: string;
  version: number;
  status: ArtifactStatus;
  /** Why the artifact is rejected or failed. */
  statusReason?: string;
  /** Where an ingest came from (http(s):// or s3://); absent for uploads. */
  sourceUrl?: string;
  blob?: BlobRef;
  /** A presigned upload not landed yet (presignedUpload.ts): where the bytes are expected, and until when. */
  upload?: PendingUpload;
  /** SPDX-like id the rater found (e.g. "mit", "apache-2.0"). */
  license?: string;
  /** The start of the artifact's README, kept for regex search (bounded, see records.ts). */
  readme?: string;
  dependsOn: Dependencies;
  rating?: ModelRating;
  /** A dataset's or code's own metrics (the spec rates only models; see rater.ts rateSupporting). */
  scores?: Record<string, number>;
  /** The user who created it (access control on) — kept for the audit trail. */
  createdBy?: string;
  /** Arrival number in its name partition (datasets and code, while attached; see links.ts). */
  memberSeq?: number;
  createdAt: string;
  updatedAt: string;
}

/** The spec's ArtifactMetadata. */
export interface ArtifactMetadata {
  name: string;
  id: string;
  type: ArtifactType;
}

/** The spec's Artifact, plus the ingest status (extra properties are allowed by the schema). */
export interface ArtifactView {
  metadata: ArtifactMetadata;
  data: { url: string; download_url?: string };
  status: { state: ArtifactStatus; reason?: string; updated_at: string };
  /** A dataset's or code's own metrics, once rated. */
  scores?: Record<string, number>;
}

/** The spec's ArtifactQuery. */
export interface ArtifactQuery {
  name: string;
  types?: ArtifactType[];
}

/** A dependency of a model and the artifact it is linked to, if one of that name exists. */
export interface DependencyLink {
  type: LinkableType;
  name: string;
  linkedId?: string;
}
