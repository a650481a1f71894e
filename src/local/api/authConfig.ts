/**
 * Authorizers as a template declares them — `Auth` of an AWS::Serverless::Api (REST: TOKEN and
 * REQUEST Lambda authorizers, Cognito, API keys) or an AWS::Serverless::HttpApi (Lambda authorizers with
 * payload 1.0/2.0 and simple responses, JWT) — read into one shape the request path can apply.
 */
export type IdentitySource = { in: 'header' | 'query' | 'stageVariable' | 'context'; name: string };

export type AuthorizerDef =
  | {
      kind: 'lambda';
      name: string;
      /** FunctionArn as resolved: an ARN or a function name. */
      functionRef: string;
      /** REST: TOKEN or REQUEST; HTTP APIs are always REQUEST. */
      payloadType: 'TOKEN' | 'REQUEST';
      /** The authorizer event's shape: REST and HTTP 1.0 use v1 shapes, HTTP 2.0 its own. */
      payloadVersion: '1.0' | '2.0';
      api: 'rest' | 'http';
      simpleResponses: boolean;
      identity: IdentitySource[];
      validationExpression?: string;
    }
  | { kind: 'jwt'; name: string; issuer?: string; audience: string[]; identity: IdentitySource[] }
  | { kind: 'unenforced'; name: string; reason: string };

export interface ApiAuth {
  authorizers: Record<string, AuthorizerDef>;
  defaultAuthorizer?: string;
  /** REST: Auth.ApiKeyRequired applies to every route. */
  apiKeyRequired: boolean;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** `$request.header.Authorization`, `method.request.querystring.token`, … → an identity source. */
export function parseIdentityExpression(expr: string): IdentitySource | undefined {
  const m = /^(?:\$request|method\.request)\.(header|querystring|querystrings)\.(.+)$/i.exec(expr.trim()) ?? /^\$(stageVariables|context)\.(.+)$/.exec(expr.trim());
  if (!m) return undefined;
  const where = m[1].toLowerCase();
  return { in: where === 'header' ? 'header' : where.startsWith('querystring') ? 'query' : where === 'stagevariables' ? 'stageVariable' : 'context', name: m[2] };
}

export function readRestAuth(auth: any): ApiAuth {
  const authorizers: Record<string, AuthorizerDef> = Object.create(null);
  for (const [name, a] of Object.entries<any>(auth?.Authorizers ?? {})) {
    if (a?.FunctionArn !== undefined) {
      const payloadType = String(a.FunctionPayloadType ?? 'TOKEN').toUpperCase() === 'REQUEST' ? 'REQUEST' : 'TOKEN';
      const id = a.Identity ?? {};
      const identity: IdentitySource[] =
        payloadType === 'TOKEN'
          ? [{ in: 'header', name: String(id.Header ?? 'Authorization') }]
          : [
              ...list(id.Headers).map((name) => ({ in: 'header' as const, name })),
              ...list(id.QueryStrings).map((name) => ({ in: 'query' as const, name })),
              ...list(id.StageVariables).map((name) => ({ in: 'stageVariable' as const, name })),
              ...list(id.Context).map((name) => ({ in: 'context' as const, name })),
            ];
      authorizers[name] = {
        kind: 'lambda', name, functionRef: String(a.FunctionArn), payloadType, payloadVersion: '1.0', api: 'rest', simpleResponses: false, identity,
        validationExpression: typeof id.ValidationExpression === 'string' ? id.ValidationExpression : undefined,
      };
    } else {
      authorizers[name] = { kind: 'unenforced', name, reason: a?.UserPoolArn !== undefined ? 'a Cognito user pool authorizer (tokens cannot be checked offline)' : 'an authorizer kind larder does not emulate' };
    }
  }
  return { authorizers, defaultAuthorizer: typeof auth?.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined, apiKeyRequired: auth?.ApiKeyRequired === true };
}

export function readHttpAuth(auth: any): ApiAuth {
  const authorizers: Record<string, AuthorizerDef> = Object.create(null);
  for (const [name, a] of Object.entries<any>(auth?.Authorizers ?? {})) {
    if (a?.FunctionArn !== undefined) {
      const id = a.Identity ?? {};
      authorizers[name] = {
        kind: 'lambda', name, functionRef: String(a.FunctionArn), payloadType: 'REQUEST', api: 'http',
        payloadVersion: String(a.AuthorizerPayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
        simpleResponses: a.EnableSimpleResponses === true,
        identity: [...list(id.Headers).map((name) => ({ in: 'header' as const, name })), ...list(id.QueryStrings).map((name) => ({ in: 'query' as const, name }))],
      };
    } else if (a?.JwtConfiguration) {
      const identity = parseIdentityExpression(String(a.IdentitySource ?? '$request.header.Authorization'));
      authorizers[name] = {
        kind: 'jwt', name,
        issuer: typeof a.JwtConfiguration.issuer === 'string' ? a.JwtConfiguration.issuer : undefined,
        audience: list(a.JwtConfiguration.audience),
        identity: identity ? [identity] : [{ in: 'header', name: 'Authorization' }],
      };
    } else {
      authorizers[name] = { kind: 'unenforced', name, reason: 'an authorizer kind larder does not emulate' };
    }
  }
  if (auth?.EnableIamAuthorizer) authorizers.AWS_IAM = { kind: 'unenforced', name: 'AWS_IAM', reason: 'IAM (SigV4) authorization, which needs real AWS credentials' };
  return { authorizers, defaultAuthorizer: typeof auth?.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined, apiKeyRequired: false };
}
