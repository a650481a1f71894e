/**
 * API Gateway's routing, for the template's Api events: `/items/{id}`, `/files/{proxy+}`, method or
 * ANY. As in API Gateway, a literal segment beats a path parameter, which beats a greedy `{proxy+}`,
 * so `POST /artifact/byRegEx` wins over `POST /artifact/{artifact_type}` whatever the order in the file.
 */
import type { ApiDefinition, FunctionDefinition, LoadedTemplate } from './template';

export interface Route {
  fn: FunctionDefinition;
  api: ApiDefinition;
  /** The resource path as declared, e.g. `/artifact/{artifact_type}`. */
  resource: string;
  method: string;
  segments: Segment[];
}

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string> | null;
}

export function routesFromTemplate(template: LoadedTemplate): Route[] {
  const routes: Route[] = [];
  for (const fn of template.functions) {
    for (const ev of fn.apiEvents) {
      const api = template.apis.find((a) => a.logicalId === ev.restApiId) ?? template.apis[0];
      routes.push({ fn, api, resource: ev.path, method: ev.method, segments: parsePath(ev.path) });
    }
  }
  return routes.sort(compareRoutes);
}

function parsePath(path: string): Segment[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((s): Segment => {
      const m = /^\{([^}]+?)(\+)?\}$/.exec(s);
      if (!m) return { kind: 'literal', value: s };
      return m[2] ? { kind: 'greedy', name: m[1] } : { kind: 'param', name: m[1] };
    });
}

const rank = { literal: 0, param: 1, greedy: 2 } as const;

function compareRoutes(a: Route, b: Route): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    if (!sa || !sb) return sa ? -1 : 1;
    if (rank[sa.kind] !== rank[sb.kind]) return rank[sa.kind] - rank[sb.kind];
  }
  if (a.method === 'ANY' && b.method !== 'ANY') return 1;
  if (b.method === 'ANY' && a.method !== 'ANY') return -1;
  return 0;
}

/** Routes whose path matches, whatever the method (for 405-vs-404 and CORS preflight). */
export function matchPath(routes: Route[], path: string): RouteMatch[] {
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const out: RouteMatch[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (params) out.push({ route, pathParameters: Object.keys(params).length ? params : null });
  }
  return out;
}

export function matchRoute(routes: Route[], method: string, path: string): RouteMatch | undefined {
  return matchPath(routes, path).find((m) => m.route.method === method || m.route.method === 'ANY');
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[s.name] = parts.slice(i).join('/');
      return params;
    }
    const p = parts[i];
    if (p === undefined) return undefined;
    if (s.kind === 'literal' && s.value !== p) return undefined;
    if (s.kind === 'param') params[s.name] = p;
  }
  return segments.length === parts.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
