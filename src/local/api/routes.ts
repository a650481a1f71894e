/**
 * The route table of `start-api`, from every API a template can declare:
 *   - REST: `Type: Api` events (AWS::Serverless::Api or SAM's implicit ServerlessRestApi), payload 1.0;
 *   - HTTP: `Type: HttpApi` events (AWS::Serverless::HttpApi or the implicit ServerlessHttpApi), payload
 *     2.0 unless PayloadFormatVersion says 1.0; an event without Path/Method is the `$default` route;
 *   - HTTP APIs made in CloudFormation: AWS::ApiGatewayV2::Api quick-create (`Target`, optional
 *     `RouteKey`) and AWS::ApiGatewayV2::Route → Integration pairs.
 * Each route carries what the request path needs: its API's stage, binary media types, CORS, and the
 * authorizer that guards it (the event's Auth.Authorizer, else the API's DefaultAuthorizer; NONE opts out).
 */
import type { ApiDefinition, FunctionDefinition, LoadedTemplate } from '../template';
import { findFunction } from '../template';
import { compareSpecificity, matchSegments, parsePath, splitRequestPath, type Segment } from './pathMatch';
import { readHttpAuth, readRestAuth, type ApiAuth, type AuthorizerDef } from './authConfig';

export type ApiKind = 'rest' | 'http';

export interface Route {
  kind: ApiKind;
  fn: FunctionDefinition;
  api: ApiDefinition;
  /** As declared: `/items/{id}`, or `$default` for an HTTP API's catch-all route. */
  resource: string;
  method: string;
  segments: Segment[];
  payloadVersion: '1.0' | '2.0';
  authorizer?: AuthorizerDef;
  apiKeyRequired: boolean;
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string> | null;
  /** The request path without an accepted stage prefix. */
  path: string;
}

export interface RouteTable {
  routes: Route[];
  /** Things the table could not honour offline (unknown authorizers, targets), each said once. */
  warnings: string[];
}

type Resources = LoadedTemplate['resources'];

/** A Globals section, resolved (Auth and CorsConfiguration often live there). Test doubles may have no raw template. */
function globalsOf(template: LoadedTemplate, section: string): Record<string, any> {
  const raw = template.raw?.Globals?.[section];
  if (!raw || typeof template.resolve !== 'function') return {};
  const value = template.resolve(raw, `Globals.${section}`);
  return value && typeof value === 'object' ? (value as Record<string, any>) : {};
}

function functionNameFromArn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /function:([^:/]+)/.exec(value)?.[1] ?? (/^[A-Za-z0-9_-]+$/.test(value) ? value : undefined);
}

export function routesFromTemplate(template: LoadedTemplate): Route[] {
  return buildRouteTable(template).routes;
}

export function buildRouteTable(template: LoadedTemplate): RouteTable {
  const resources: Resources = template.resources ?? {};
  const warnings: string[] = [];
  const routes: Route[] = [];
  const restAuth = new Map<string, ApiAuth>();
  const authOf = (id: string, kind: ApiKind): ApiAuth => {
    const key = `${kind}:${id}`;
    if (!restAuth.has(key)) {
      const props = resources[id]?.Properties ?? {};
      const globals = globalsOf(template, kind === 'rest' ? 'Api' : 'HttpApi');
      const auth = props.Auth ?? globals.Auth;
      restAuth.set(key, kind === 'rest' ? readRestAuth(auth) : readHttpAuth(auth));
    }
    return restAuth.get(key)!;
  };
  const pick = (auth: ApiAuth, eventAuth: any, where: string): AuthorizerDef | undefined => {
    const name = typeof eventAuth?.Authorizer === 'string' ? eventAuth.Authorizer : auth.defaultAuthorizer;
    if (!name || name === 'NONE') return undefined;
    const def = auth.authorizers[name];
    if (!def) warnings.push(`${where}: authorizer "${name}" is not declared in the API's Auth.Authorizers; the route is served without it`);
    return def;
  };

  for (const fn of template.functions) {
    const events: Record<string, any> = fn.events ?? resources[fn.logicalId]?.Properties?.Events ?? {};
    for (const ev of fn.apiEvents ?? []) {
      const api = template.apis.find((a) => a.logicalId === ev.restApiId) ?? template.apis[0];
      const auth = authOf(api?.logicalId ?? 'ServerlessRestApi', 'rest');
      const eventAuth = events[ev.eventName]?.Properties?.Auth;
      routes.push({
        kind: 'rest', fn, api, resource: ev.path, method: ev.method, segments: parsePath(ev.path), payloadVersion: '1.0',
        authorizer: pick(auth, eventAuth, `${fn.logicalId}.Events.${ev.eventName}`),
        apiKeyRequired: eventAuth?.ApiKeyRequired ?? auth.apiKeyRequired,
      });
    }
    for (const [eventName, ev] of Object.entries<any>(events)) {
      if (ev?.Type !== 'HttpApi') continue;
      const p = ev.Properties ?? {};
      const apiId = typeof p.ApiId === 'string' ? p.ApiId : 'ServerlessHttpApi';
      const isDefault = typeof p.Path !== 'string';
      const resource = isDefault ? '$default' : p.Path;
      routes.push({
        kind: 'http', fn, api: httpApiDefinition(apiId, resources[apiId]?.Properties ?? globalsOf(template, 'HttpApi')),
        resource, method: isDefault ? 'ANY' : String(p.Method ?? 'ANY').toUpperCase().replace(/^X-AMAZON-APIGATEWAY-ANY-METHOD$/, 'ANY'),
        segments: isDefault ? [{ kind: 'greedy', name: '$default' }] : parsePath(resource),
        payloadVersion: String(p.PayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
        authorizer: pick(authOf(apiId, 'http'), p.Auth, `${fn.logicalId}.Events.${eventName}`),
        apiKeyRequired: false,
      });
    }
  }
  routes.push(...cloudFormationHttpRoutes(template, resources, warnings));
  return { routes: routes.sort(compareRoutes), warnings };
}

function httpApiDefinition(logicalId: string, p: Record<string, any>): ApiDefinition {
  const cors = p.CorsConfiguration;
  return {
    logicalId,
    stageName: typeof p.StageName === 'string' ? p.StageName : '$default',
    binaryMediaTypes: [],
    cors: cors && typeof cors === 'object'
      ? { allowOrigin: list(cors.AllowOrigins).join(',') || '*', allowMethods: list(cors.AllowMethods).join(',') || undefined, allowHeaders: list(cors.AllowHeaders).join(',') || undefined, maxAge: cors.MaxAge !== undefined ? String(cors.MaxAge) : undefined, allowCredentials: cors.AllowCredentials === true }
      : cors === true ? { allowOrigin: '*' } : undefined,
  };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** AWS::ApiGatewayV2::Api quick-create (Target) and ApiGatewayV2 Route → Integration → function. */
function cloudFormationHttpRoutes(template: LoadedTemplate, resources: Resources, warnings: string[]): Route[] {
  const out: Route[] = [];
  const add = (apiId: string, routeKey: string, target: unknown, payload: unknown, where: string) => {
    const name = functionNameFromArn(target);
    let fn: FunctionDefinition | undefined;
    try {
      fn = name ? findFunction(template, name) : undefined;
    } catch {
      fn = undefined;
    }
    if (!fn) return void warnings.push(`${where}: target ${JSON.stringify(target)} is not a function of this template; route ${routeKey} is not served`);
    const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(/\s+/, 2);
    out.push({
      kind: 'http', fn, api: httpApiDefinition(apiId, resources[apiId]?.Properties ?? {}), resource: path, method: method.toUpperCase(),
      segments: path === '$default' ? [{ kind: 'greedy', name: '$default' }] : parsePath(path),
      payloadVersion: String(payload ?? '2.0') === '1.0' ? '1.0' : '2.0', apiKeyRequired: false,
    });
  };
  for (const [id, res] of Object.entries(resources)) {
    const p = res.Properties ?? {};
    if (res.Type === 'AWS::ApiGatewayV2::Api' && p.Target !== undefined && String(p.ProtocolType ?? 'HTTP') === 'HTTP') {
      add(id, typeof p.RouteKey === 'string' ? p.RouteKey : '$default', p.Target, '2.0', `Resources.${id}`);
    }
    if (res.Type === 'AWS::ApiGatewayV2::Route' && typeof p.RouteKey === 'string') {
      const integrationId = /^integrations\/(.+)$/.exec(String(p.Target ?? ''))?.[1];
      const integration = integrationId ? resources[integrationId]?.Properties : undefined;
      if (!integration) continue;
      add(String(p.ApiId), p.RouteKey, integration.IntegrationUri, integration.PayloadFormatVersion, `Resources.${id}`);
    }
  }
  return out;
}

function compareRoutes(a: Route, b: Route): number {
  // An HTTP API's $default route catches only what no other route matches.
  const da = a.resource === '$default' ? 1 : 0;
  const db = b.resource === '$default' ? 1 : 0;
  return da - db || compareSpecificity(a, b);
}

/** Routes whose path matches, whatever the method (for 405-vs-404 and CORS preflight). */
export function matchPath(routes: Route[], path: string): RouteMatch[] {
  const parts = splitRequestPath(path);
  const out: RouteMatch[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    const pathParameters = route.resource === '$default' ? null : Object.keys(params).length ? params : null;
    out.push({ route, pathParameters, path });
  }
  return out;
}

export function matchRoute(routes: Route[], method: string, path: string): RouteMatch | undefined {
  return matchPath(routes, path).find((m) => m.route.method === method || m.route.method === 'ANY');
}

/**
 * Like matchRoute, and also accepts the stage in front of the path (`/Prod/hello`), as the deployed
 * URL has it: when nothing matches the whole path and its first segment is a route's stage name.
 */
export function matchRequest(routes: Route[], method: string, path: string): { match?: RouteMatch; candidates: RouteMatch[] } {
  let candidates = matchPath(routes, path);
  let match = candidates.find((m) => m.route.method === method || m.route.method === 'ANY');
  if (!match || match.route.resource === '$default') {
    const [, first, ...rest] = path.split('/');
    const staged = routes.filter((r) => r.api?.stageName === decodeURIComponentSafe(first) && r.api.stageName !== '$default');
    if (staged.length) {
      const stripped = '/' + rest.join('/');
      const inStage = matchPath(staged, stripped).map((m) => ({ ...m, path: stripped }));
      const hit = inStage.find((m) => m.route.method === method || m.route.method === 'ANY');
      if (hit && (!match || hit.route.resource !== '$default')) return { match: hit, candidates: inStage };
      if (!match) candidates = candidates.length ? candidates : inStage;
    }
  }
  return { match, candidates };
}

function decodeURIComponentSafe(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
}
