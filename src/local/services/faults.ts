/**
 * Fault rules and request statistics of one local service, kept by its fault proxy.
 *
 * Rules are added, not replaced: the services are shared by test files running in parallel, so
 * each test adds rules scoped with `match` (its bucket, table or operation) and removes its own by
 * id. A rule acts on the matching requests it is meant for and then retires itself:
 *  - `failNext: N`     the next N matching requests get an error in the service's shape
 *                      (`status`, default 503; `code`, default per service and status);
 *  - `truncateNext: N` the next N matching responses are cut short (half the body, then the
 *                      connection is destroyed; no body → the connection is reset);
 *  - `latencyMs`       delays the requests the rule acts on; a rule with only `latencyMs` delays
 *                      every matching request until it is cleared.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';

export interface FaultMatch {
  /** The service's operation name, e.g. GetObject, PutItem, InvokeModel. */
  operation?: string;
  /** The request path starts with this (S3: `/<bucket>/` scopes a rule to one bucket). */
  pathPrefix?: string;
  /** The first MiB of the request body contains this text (e.g. a DynamoDB table name). */
  bodyIncludes?: string;
}

export interface FaultRule {
  failNext?: number;
  /** HTTP status of injected failures: 500 | 503 | 429 | … (default 503). */
  status?: number;
  /** Error code, e.g. SlowDown, ThrottlingException (default: what the service sends for `status`). */
  code?: string;
  latencyMs?: number;
  truncateNext?: number;
  match?: FaultMatch;
}

export interface FaultController {
  /** Adds a rule; resolves with its id once it is in force (await it before sending requests). */
  set(rule: FaultRule): Promise<string>;
  /** Removes one rule by id, or every rule when no id is given. */
  clear(id?: string): Promise<void>;
  /** Requests per operation since start (or the last resetStats), e.g. { GetObject: 3 }. */
  stats(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
}

export const faultRuleSchema = z.strictObject({
  failNext: z.number().int().nonnegative().optional(),
  status: z.number().int().min(400).max(599).optional(),
  code: z.string().min(1).optional(),
  latencyMs: z.number().nonnegative().max(600_000).optional(),
  truncateNext: z.number().int().nonnegative().optional(),
  match: z
    .strictObject({ operation: z.string().min(1).optional(), pathPrefix: z.string().min(1).optional(), bodyIncludes: z.string().min(1).optional() })
    .optional(),
});

/** Validates one rule or a list of rules (from JSON: env, HTTP, options). */
export function parseFaultRules(value: unknown, source: string): FaultRule[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const parsed = faultRuleSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = [...(Array.isArray(value) ? [i] : []), ...issue.path].join('.') || '(rule)';
      throw new ValidationError(`${source}: invalid fault rule at ${where}: ${issue.message}`);
    }
    return parsed.data;
  });
}

export interface FaultDecision {
  latencyMs: number;
  fail?: { status: number; code?: string };
  truncate: boolean;
}

interface ActiveRule {
  id: string;
  rule: FaultRule;
  failLeft: number;
  truncateLeft: number;
}

export class FaultState {
  private rules: ActiveRule[] = [];
  private counts = new Map<string, number>();
  private nextId = 1;

  add(rule: FaultRule): string {
    const [valid] = parseFaultRules(rule, 'fault rule');
    const id = `rule-${this.nextId++}`;
    this.rules.push({ id, rule: valid, failLeft: valid.failNext ?? 0, truncateLeft: valid.truncateNext ?? 0 });
    return id;
  }

  clear(id?: string): void {
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
  }

  list(): Array<FaultRule & { id: string; failLeft: number; truncateLeft: number }> {
    return this.rules.map((r) => ({ id: r.id, ...r.rule, failLeft: r.failLeft, truncateLeft: r.truncateLeft }));
  }

  /** True when a rule needs the request body to decide (the proxy then reads its first MiB). */
  needsBody(): boolean {
    return this.rules.some((r) => r.rule.match?.bodyIncludes !== undefined);
  }

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  stats(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetStats(): void {
    this.counts.clear();
  }

  /** Decides what happens to one request, consuming the counters of the rules that act on it. */
  decide(operation: string, path: string, bodyHead: string | undefined): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, truncate: false };
    for (const active of this.rules) {
      if (!matches(active.rule.match, operation, path, bodyHead)) continue;
      const { rule } = active;
      const countsDown = rule.failNext !== undefined || rule.truncateNext !== undefined;
      if (!countsDown) {
        decision.latencyMs = Math.max(decision.latencyMs, rule.latencyMs ?? 0);
        continue;
      }
      if (decision.fail || decision.truncate) continue;
      if (active.failLeft > 0) {
        active.failLeft--;
        decision.fail = { status: rule.status ?? 503, code: rule.code };
      } else if (active.truncateLeft > 0) {
        active.truncateLeft--;
        decision.truncate = true;
      } else continue;
      decision.latencyMs = Math.max(decision.latencyMs, rule.latencyMs ?? 0);
    }
    this.rules = this.rules.filter((r) => !isSpent(r));
    return decision;
  }
}

function isSpent(active: ActiveRule): boolean {
  const countsDown = active.rule.failNext !== undefined || active.rule.truncateNext !== undefined;
  return countsDown && active.failLeft === 0 && active.truncateLeft === 0;
}

function matches(match: FaultMatch | undefined, operation: string, path: string, bodyHead: string | undefined): boolean {
  if (!match) return true;
  if (match.operation !== undefined && match.operation !== operation) return false;
  if (match.pathPrefix !== undefined && !path.startsWith(match.pathPrefix)) return false;
  if (match.bodyIncludes !== undefined && !(bodyHead ?? '').includes(match.bodyIncludes)) return false;
  return true;
}

/** A controller acting directly on a FaultState (same process as the proxy). */
export function localFaultController(state: FaultState): FaultController {
  return {
    set: async (rule) => state.add(rule),
    clear: async (id) => state.clear(id),
    stats: async () => state.stats(),
    resetStats: async () => state.resetStats(),
  };
}

/**
 * A controller speaking to a fault proxy over HTTP (`/__larder/faults`, `/__larder/stats`), for
 * test files running in other processes than the one that started the services.
 */
export function remoteFaultController(endpoint: string): FaultController {
  const base = endpoint.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ValidationError(`${method} ${base}${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    set: async (rule) => (await call('POST', '/__larder/faults', rule)).ids[0] as string,
    clear: async (id) => {
      await call('DELETE', id === undefined ? '/__larder/faults' : `/__larder/faults?id=${encodeURIComponent(id)}`);
    },
    stats: async () => (await call('GET', '/__larder/stats')) as Record<string, number>,
    resetStats: async () => {
      await call('DELETE', '/__larder/stats');
    },
  };
}
