/**
 * Everything the S3 proxy does to make s3rver answer like S3, in one call (faultProxy.ts stays
 * service-neutral). Each fix lives in its own file beside this one:
 *  - suffix ranges `bytes=-N` → an explicit range (suffixRange.ts);
 *  - aws-chunked request bodies → decoded on the way through (awsChunked.ts);
 *  - If-Match / If-None-Match conditions s3rver ignores → 412 as S3 answers (conditional.ts).
 * Any credentials are accepted by the s3rver child itself (s3rverProcess.mjs).
 */
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { AwsChunkedDecoder, decodedRequestHeaders, isAwsChunked } from './awsChunked';
import { checkCondition, hasUncheckedCondition, type ConditionalFailure } from './conditional';
import { explicitSuffixRange, isSuffixRange } from './suffixRange';

export interface S3RequestFix {
  headers: IncomingHttpHeaders;
  /** Decodes an aws-chunked body: pipe the request through it. */
  decoder?: AwsChunkedDecoder;
  /** Answer this instead of forwarding (a failed condition); the body must be drained. */
  reply?: ConditionalFailure;
}

export async function fixS3Request(target: URL, url: string, operation: string, headers: IncomingHttpHeaders, withBody: boolean, agent: Agent): Promise<S3RequestFix> {
  if (hasUncheckedCondition(operation, headers)) {
    const failure = await checkCondition(target, url, operation, headers, agent);
    if (failure) return { headers, reply: failure };
  }
  let out = headers;
  if (operation === 'GetObject' && isSuffixRange(out.range)) {
    out = { ...out, range: (await explicitSuffixRange(target, url, out, out.range, agent)) ?? out.range };
  }
  if (withBody && isAwsChunked(out)) return { headers: decodedRequestHeaders(out), decoder: new AwsChunkedDecoder() };
  return { headers: out };
}
