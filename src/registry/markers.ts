/**
 * The source-URL uniqueness marker (URL#{sha256(canonical url)}): put in the same transaction as the
 * artifact that claims the URL — a second claim fails its condition and is an atomic 409 — and
 * released in the same transaction as the delete, retire or re-sourcing that gives the URL up.
 */
import { ConflictError } from '../errors';
import { parseSourceUrl, type SourceUrl } from './names';
import { keys } from './records';
import type { ArtifactStore, TxItem } from './store';

export function markerClaim(store: ArtifactStore, source: SourceUrl, artifactId: string): TxItem {
  return {
    op: {
      Put: {
        TableName: store.tableName,
        Item: { ...keys.urlMarker(source.digest), entity: 'url', artifactId, url: source.canonical },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    onConditionFailed: () => new ConflictError(`an artifact with source URL ${source.url} is already registered`),
  };
}

/** Deletes the marker if (and only if) it belongs to `artifactId`. */
export function markerRelease(store: ArtifactStore, sourceUrl: string, artifactId: string): TxItem {
  return {
    op: {
      Delete: {
        TableName: store.tableName,
        Key: keys.urlMarker(parseSourceUrl(sourceUrl).digest),
        ConditionExpression: 'attribute_not_exists(pk) OR artifactId = :id',
        ExpressionAttributeValues: { ':id': artifactId },
      },
    },
  };
}
