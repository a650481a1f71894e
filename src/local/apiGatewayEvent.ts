/** The payload-1.0 event builder and result mapping live in src/local/api/; these names stay for existing imports. */
export { buildProxyEvent, isBinaryMediaType } from './api/restEvent';
export { proxyResultToHttp, type HttpResponseParts } from './api/responses';
