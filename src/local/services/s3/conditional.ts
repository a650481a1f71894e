/**
 * Conditional requests s3rver ignores, answered the way S3 does:
 *  - GetObject/HeadObject `If-Match: <etag>` that does not match → 412 PreconditionFailed
 *    (s3rver serves the object);
 *  - PutObject `If-None-Match: *` on an existing key → 412 (S3's conditional create; s3rver overwrites);
 *  - PutObject `If-Match: <etag>` that does not match, or on a missing key → 412 / 404
 *    (S3's conditional overwrite).
 * The proxy HEADs the object first. That is a check-then-act, not atomic like S3: two writers racing
 * on one key locally can both pass. Good enough for a development server; say so in docs/services.md.
 */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface ConditionalFailure {
  status: 412 | 404;
  code: 'PreconditionFailed' | 'NoSuchKey';
  message: string;
}

/** Whether a request carries a condition this module checks (so the HEAD is only paid when needed). */
export function hasUncheckedCondition(operation: string, headers: IncomingHttpHeaders): boolean {
  if (operation === 'GetObject' || operation === 'HeadObject') return headers['if-match'] !== undefined;
  if (operation === 'PutObject') return headers['if-match'] !== undefined || headers['if-none-match'] !== undefined;
  return false;
}

export async function checkCondition(target: URL, path: string, operation: string, headers: IncomingHttpHeaders, agent: Agent): Promise<ConditionalFailure | undefined> {
  const current = await currentEtag(target, path, headers, agent);
  const ifMatch = headerText(headers['if-match']);
  const ifNoneMatch = headerText(headers['if-none-match']);
  if (operation === 'PutObject') {
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && current !== undefined) {
      return { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold (If-None-Match: * and the object exists)' };
    }
    if (ifMatch !== undefined) {
      if (current === undefined) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist (If-Match on a missing object).' };
      if (!etagMatches(ifMatch, current)) return { status: 412, code: 'PreconditionFailed', message: `At least one of the pre-conditions you specified did not hold (If-Match ${ifMatch}, object ETag ${current})` };
    }
    return undefined;
  }
  // GET/HEAD on a missing key: let s3rver answer its own 404.
  if (ifMatch !== undefined && current !== undefined && !etagMatches(ifMatch, current)) {
    return { status: 412, code: 'PreconditionFailed', message: `At least one of the pre-conditions you specified did not hold (If-Match ${ifMatch}, object ETag ${current})` };
  }
  return undefined;
}

/** `If-Match` takes a list of quoted ETags, or `*` (any existing object). */
export function etagMatches(condition: string, etag: string): boolean {
  const bare = (t: string) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return condition.split(',').some((c) => c.trim() === '*' || bare(c) === bare(etag));
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function currentEtag(target: URL, path: string, headers: IncomingHttpHeaders, agent: Agent): Promise<string | undefined> {
  const {
    range: _r,
    'content-length': _l,
    'content-encoding': _e,
    'if-match': _m,
    'if-none-match': _n,
    'transfer-encoding': _t,
    'x-amz-decoded-content-length': _d,
    ...rest
  } = headers;
  const pathOnly = path.split('?')[0];
  return new Promise((resolve) => {
    const req = request({ host: target.hostname, port: target.port, method: 'HEAD', path: pathOnly, headers: rest, agent }, (res) => {
      res.resume();
      const etag = res.headers.etag;
      resolve(res.statusCode === 200 && typeof etag === 'string' ? etag : undefined);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
