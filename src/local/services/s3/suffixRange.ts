/**
 * s3rver 3.7.1 reads a suffix range `bytes=-N` ("the last N bytes") as `bytes=0-N`, so a reader
 * that fetches a Parquet footer that way gets the wrong bytes. The S3 fault proxy fixes it: it asks
 * s3rver for the object's size (HEAD) and rewrites the header to the explicit range `bytes=S-E`.
 * s3rver does not verify SigV4 signatures (only the access key), so the rewritten header is accepted.
 */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

const SUFFIX_RANGE = /^bytes=-(\d+)$/;

export function isSuffixRange(range: string | string[] | undefined): range is string {
  return typeof range === 'string' && SUFFIX_RANGE.test(range.trim());
}

/** The explicit range for `bytes=-N` on this object, or undefined to leave the header alone. */
export async function explicitSuffixRange(target: URL, path: string, headers: IncomingHttpHeaders, range: string, agent: Agent): Promise<string | undefined> {
  const suffixBytes = Number(SUFFIX_RANGE.exec(range.trim())![1]);
  const size = await objectSize(target, path, headers, agent);
  if (size === undefined || size === 0 || suffixBytes === 0) return undefined;
  return `bytes=${Math.max(0, size - suffixBytes)}-${size - 1}`;
}

function objectSize(target: URL, path: string, headers: IncomingHttpHeaders, agent: Agent): Promise<number | undefined> {
  const { range: _range, 'content-length': _length, ...rest } = headers;
  return new Promise((resolve) => {
    const req = request({ host: target.hostname, port: target.port, method: 'HEAD', path, headers: rest, agent }, (res) => {
      res.resume();
      const length = Number(res.headers['content-length']);
      resolve(res.statusCode === 200 && Number.isFinite(length) ? length : undefined);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
