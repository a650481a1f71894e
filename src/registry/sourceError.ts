/** Why an ingest source could not be fetched; its message is the reason recorded on the artifact. */
export class IngestSourceError extends Error {
  constructor(message: string, readonly kind: 'not_found' | 'too_large' | 'unreachable' | 'bad_response' | 'refused') {
    super(message);
    this.name = 'IngestSourceError';
  }
}
