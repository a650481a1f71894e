/**
 * JWT authorizers of HTTP APIs, offline: the token must be present (else 401), be a well-formed JWT,
 * come from the configured issuer, name one of the audiences (`aud`, or `client_id` for access tokens)
 * and not be expired (else 401). Its signature is NOT verified — that needs the issuer's JWKS over the
 * network — which start-api says once in a warning. On success the claims and scopes reach the
 * function as requestContext.authorizer.jwt, as API Gateway passes them.
 */
import type { AuthorizerDef } from './authConfig';
import { header, type RequestParts } from './requestParts';
import { gatewayErrors } from './responses';
import type { AuthOutcome } from './authorizers';

type JwtAuthorizer = Extract<AuthorizerDef, { kind: 'jwt' }>;

export const JWT_SIGNATURE_WARNING = 'JWT authorizers are checked offline for issuer, audience and expiry only; token signatures are not verified (that needs the issuer\'s keys over the network)';

export function checkJwt(def: JwtAuthorizer, parts: RequestParts, nowMs = Date.now()): AuthOutcome {
  const src = def.identity[0];
  const raw = src.in === 'query' ? parts.query[src.name] : header(parts, src.name);
  const fail = (reason: string): AuthOutcome => ({ allow: false, ...gatewayErrors.unauthorized, reason: `JWT authorizer ${def.name}: ${reason}` });
  if (!raw) return fail(`no token in ${src.in} ${src.name}`);
  const token = raw.replace(/^Bearer\s+/i, '');
  const pieces = token.split('.');
  if (pieces.length !== 3) return fail('the token is not a JWT (three base64url parts)');
  let claims: any;
  try {
    claims = JSON.parse(Buffer.from(pieces[1], 'base64url').toString('utf8'));
  } catch {
    return fail('the token payload is not JSON');
  }
  if (!claims || typeof claims !== 'object') return fail('the token payload is not an object');
  if (def.issuer && claims.iss !== def.issuer) return fail(`issuer ${JSON.stringify(claims.iss)} is not ${def.issuer}`);
  const audiences = [claims.aud ?? claims.client_id ?? []].flat().map(String);
  if (def.audience.length && !audiences.some((a) => def.audience.includes(a))) return fail(`audience ${JSON.stringify(audiences)} is none of ${JSON.stringify(def.audience)}`);
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return fail('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > nowMs) return fail('the token is not valid yet (nbf)');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : Array.isArray(claims.scp) ? claims.scp : null;
  const stringClaims = Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  return { allow: true, context: { jwt: { claims: stringClaims, scopes } } };
}
