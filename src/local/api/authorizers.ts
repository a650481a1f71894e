/**
 * Lambda authorizers, run before the route's function as API Gateway runs them:
 *   - the identity sources must all be present, else 401 and no function is called (for a TOKEN
 *     authorizer the token must also match its ValidationExpression);
 *   - the authorizer function gets API Gateway's event for its kind (REST TOKEN / REQUEST, HTTP 1.0 /
 *     2.0) and answers an IAM policy or, for HTTP 2.0 with EnableSimpleResponses, `{isAuthorized}`;
 *   - Deny (or no Allow for this method ARN) → 403, an "Unauthorized" error → 401, any other failure
 *     → 500; on Allow its context reaches the function's event as requestContext.authorizer.
 * No result caching (ReauthorizeEvery): every request is authorized afresh.
 */
import type { IncomingMessage } from 'node:http';
import type { LambdaEmulator } from '../emulator';
import { LOCAL_ACCOUNT_ID } from '../intrinsics';
import type { AuthorizerDef, IdentitySource } from './authConfig';
import type { RouteMatch } from './routes';
import { header, type RequestParts } from './requestParts';
import { buildProxyEvent } from './restEvent';
import { buildV2Event } from './httpEvent';
import { gatewayErrors } from './responses';

export type AuthOutcome = { allow: true; context?: Record<string, unknown> } | { allow: false; status: number; body: unknown; reason: string };

type LambdaAuthorizer = Extract<AuthorizerDef, { kind: 'lambda' }>;

function identityValues(def: { identity: IdentitySource[] }, parts: RequestParts, stageName: string): { values: string[]; missing?: string } {
  const values: string[] = [];
  for (const src of def.identity) {
    const v = src.in === 'header' ? header(parts, src.name) : src.in === 'query' ? parts.query[src.name] : src.in === 'context' && src.name === 'stage' ? stageName : undefined;
    if (v === undefined || v === '') return { values, missing: `${src.in} ${src.name}` };
    values.push(v);
  }
  return { values };
}

export function methodArn(region: string, match: RouteMatch, method: string): string {
  const stage = match.route.api.stageName;
  const resource = match.route.resource === '$default' ? '$default' : match.path;
  return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT_ID}:larderlocal/${stage}/${method}${resource.startsWith('/') ? resource : `/${resource}`}`;
}

/** IAM policy evaluation as API Gateway does for an authorizer's policy: an explicit Deny wins, then an Allow must match. */
export function policyAllows(policy: any, arn: string): boolean {
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  const matches = (st: any) => {
    const actions = [st.Action ?? []].flat().map(String);
    const resources = [st.Resource ?? []].flat().map(String);
    const actionOk = actions.some((a) => a === '*' || a === 'execute-api:*' || a.toLowerCase() === 'execute-api:invoke');
    return actionOk && resources.some((r) => wildcard(r).test(arn));
  };
  if (statements.some((st: any) => st.Effect === 'Deny' && matches(st))) return false;
  return statements.some((st: any) => st.Effect === 'Allow' && matches(st));
}

function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

export async function runLambdaAuthorizer(
  emulator: LambdaEmulator,
  def: LambdaAuthorizer,
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  parts: RequestParts,
  match: RouteMatch,
): Promise<AuthOutcome> {
  const kind = match.route.kind;
  const method = (req.method ?? 'GET').toUpperCase();
  const { values, missing } = identityValues(def, parts, match.route.api.stageName);
  if (missing) return { allow: false, ...gatewayErrors.unauthorized, reason: `authorizer ${def.name}: identity source ${missing} is missing; the function was not called` };
  const arn = methodArn(emulator.template.region, match, method);
  let event: unknown;
  if (def.payloadType === 'TOKEN') {
    if (def.validationExpression && !new RegExp(def.validationExpression).test(values[0])) {
      return { allow: false, ...gatewayErrors.unauthorized, reason: `authorizer ${def.name}: the token does not match ValidationExpression` };
    }
    event = { type: 'TOKEN', authorizationToken: values[0], methodArn: arn };
  } else if (def.payloadVersion === '2.0') {
    const routeKey = match.route.resource === '$default' ? '$default' : `${method} ${match.route.resource}`;
    const v2 = buildV2Event(req, body, parts, { routeKey, stage: match.route.api.stageName, pathParameters: match.pathParameters, path: match.path });
    const { body: _body, isBase64Encoded: _b64, ...rest } = v2 as any;
    event = { ...rest, type: 'REQUEST', routeArn: arn, identitySource: values };
  } else {
    const v1 = buildProxyEvent(req, url, body, match, parts) as any;
    delete v1.body;
    delete v1.isBase64Encoded;
    event = { ...(kind === 'http' ? { version: '1.0' } : {}), type: 'REQUEST', methodArn: arn, ...v1, ...(kind === 'http' ? { identitySource: values.join(',') } : {}) };
  }
  const result = await emulator.invoke(def.functionRef, event);
  if (result.functionError) {
    if (result.error?.errorMessage === 'Unauthorized') return { allow: false, ...gatewayErrors.unauthorized, reason: `authorizer ${def.name} answered Unauthorized` };
    return { allow: false, ...gatewayErrors.authorizerFailed, reason: `authorizer ${def.name} failed: ${result.error?.errorType}: ${result.error?.errorMessage}` };
  }
  let answer: any;
  try {
    answer = JSON.parse(result.payload);
  } catch {
    answer = undefined;
  }
  if (def.simpleResponses && def.payloadVersion === '2.0') {
    if (typeof answer?.isAuthorized !== 'boolean') return { allow: false, ...gatewayErrors.authorizerFailed, reason: `authorizer ${def.name}: a simple response needs a boolean isAuthorized, found ${result.payload.slice(0, 200)}` };
    if (!answer.isAuthorized) return { allow: false, ...gatewayErrors.denied(kind), reason: `authorizer ${def.name} answered isAuthorized: false` };
    return { allow: true, context: match.route.payloadVersion === '2.0' ? { lambda: answer.context ?? {} } : { ...(answer.context ?? {}) } };
  }
  if (!answer?.policyDocument) return { allow: false, ...gatewayErrors.authorizerFailed, reason: `authorizer ${def.name}: expected {principalId, policyDocument}, found ${result.payload.slice(0, 200)}` };
  if (!policyAllows(answer.policyDocument, arn)) return { allow: false, ...gatewayErrors.denied(kind), reason: `authorizer ${def.name}: the policy does not allow ${arn}` };
  const context = { ...(answer.context ?? {}), ...(answer.principalId !== undefined ? { principalId: answer.principalId } : {}) };
  // Payload 2.0 function events carry a Lambda authorizer's context under `lambda`; 1.0 events flat, with principalId.
  return { allow: true, context: match.route.payloadVersion === '2.0' ? { lambda: answer.context ?? {} } : context };
}
