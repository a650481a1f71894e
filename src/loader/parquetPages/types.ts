/** The page reader's types: what it returns, and the read plans it makes from a file's metadata. */
export interface FastVectors {
  vectors: Float32Array;
  rows: number;
  dims: number;
}

export interface FastEmbeddings extends FastVectors {
  ids: string[];
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
