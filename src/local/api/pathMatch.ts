/**
 * API Gateway's path matching: `/items/{id}`, `/files/{proxy+}`. A literal segment beats a path
 * parameter, which beats a greedy `{proxy+}`, whatever the order in the template; a route for one
 * method beats ANY. Shared by REST and HTTP APIs (their rules agree on this).
 */
export type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export function parsePath(path: string): Segment[] {
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

export function compareSpecificity(a: { segments: Segment[]; method: string }, b: { segments: Segment[]; method: string }): number {
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

/** Path parameters when `parts` match, else undefined. A plain-data object: a segment named `__proto__` is just a key. */
export function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = Object.create(null);
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

export function splitRequestPath(path: string): string[] {
  return path.split('/').filter(Boolean).map(safeDecode);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
