/** The page reader's types: what it returns, and the read plans it makes from a file's metadata. */
export interface FastVectors {
  vectors: Float32Array;
  rows: number;
  dims: number;
}

export interface FastEmbeddings extends FastVectors {
  ids: string[];
  /** Where the float runs and the ids chunks are: recorded with a validated cache entry (see below). */
  layout: EmbeddingsLayout;
}

/**
 * The read plan of an embeddings Parquet, found by walking (and validating) its page headers and
 * levels once. The /tmp cache records it with the entry, so a warm load of the same bytes (same
 * ETag and size) queues its reads at once instead of walking ~80 page headers again.
 */
export interface EmbeddingsLayout {
  v: 1;
  rows: number;
  dims: number;
  /** [file position, byte length, byte offset in the vectors] per float run. */
  floats: [number, number, number][];
  /** [file position, byte length] per ids column chunk; `def` is its max definition level (0 or 1). */
  ids: [number, number][];
  def: number;
}

/** The file footer (FileMetaData): schema, row count, row groups, as Thrift maps. */
export interface Footer {
  schema: Map<number, unknown>[];
  numRows: number;
  rowGroups: Map<number, unknown>[];
}

/** Where a string column's column chunks are (whole chunks: page headers are parsed in memory). */
export interface StringsPlan {
  chunks: { position: number; length: number }[];
  def: number;
  rows: number;
}

/** One contiguous run of float bytes: file position → byte offset in the output array. */
export interface ValueRead {
  position: number;
  length: number;
  offset: number;
}

export interface VectorPlan extends FastVectors {
  reads: ValueRead[];
}
