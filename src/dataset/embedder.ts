/**
 * What the data-set builder needs from a local embedder (the Bedrock emulator): a Bedrock-compatible
 * endpoint it can start for the build, and a version that keys the embeddings tables (a changed
 * embedding function rebuilds them, and only them). Passed in by the edges (src/cli/localDataset.ts),
 * so src/dataset never imports src/local.
 */
export interface LocalEmbedder {
  version: number;
  start(): Promise<{ endpoint: string; close(): Promise<void> }>;
}
