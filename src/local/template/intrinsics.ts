/**
 * A lenient resolver for CloudFormation intrinsics, like SAM CLI's (`ignore_errors=True`): what can be
 * resolved locally is (Ref, Sub, GetAtt, If, Join, Select, Split, FindInMap, Base64, Cidr, GetAZs,
 * Length, ToJsonString, conditions, pseudo-parameters), and what cannot (ImportValue, Transform, an
 * attribute not emulated, a parameter without a Default, an unknown resource) becomes a placeholder
 * string — see isUnresolved — with one warning naming the template path where it sits. Whether a
 * placeholder matters is decided by the reader of that value: a function's Handler must resolve, a
 * bucket policy need not.
 */
import { LarderError } from '../../errors';
import {
  LOCAL_ACCOUNT_ID,
  attributeValue,
  availabilityZones,
  declaredNameProperty,
  pseudoParameter,
  refValue,
  samGeneratedResource,
  type NamedResource,
} from './localValues';

export { LOCAL_ACCOUNT_ID };

/** Every placeholder starts with this, so code can tell a placeholder from a value. */
export const UNRESOLVED_PREFIX = 'larder-unresolved:';
const NO_VALUE = Symbol('AWS::NoValue');

export function isUnresolved(value: unknown): boolean {
  return typeof value === 'string' && value.includes(UNRESOLVED_PREFIX);
}

/** True when the value is, or contains anywhere inside, a placeholder. */
export function containsUnresolved(value: unknown): boolean {
  if (isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnresolved);
  if (value && typeof value === 'object') return Object.values(value).some(containsUnresolved);
  return false;
}

export interface ResolveScope {
  source: string;
  region: string;
  /** Parameter values (strings; lists for CommaDelimitedList / List<…>). */
  parameters: Record<string, unknown>;
  /** Parameters with neither a Default nor an override: a Ref to one is a placeholder. */
  missingParameters?: Set<string>;
  conditions: Record<string, unknown>;
  mappings?: Record<string, any>;
  resources: Record<string, any>;
  /** Warnings are appended here, once per message. */
  warnings?: string[];
}

/** Resolves a value; AWS::NoValue at the top gives undefined. Never throws for what it cannot resolve. */
export function resolveIntrinsics(value: unknown, scope: ResolveScope, path: string): unknown {
  const out = new Resolver(scope).value(value, path);
  return out === NO_VALUE ? undefined : out;
}

class Resolver {
  private readonly conditionCache = new Map<string, boolean | undefined>();
  private readonly nameCache = new Map<string, string>();

  constructor(private readonly scope: ResolveScope) {}

  value(value: unknown, path: string, depth = 0): unknown {
    if (depth > 200) return this.unresolved('nesting', path, 'nested more than 200 levels deep');
    if (Array.isArray(value)) {
      return value.map((v, i) => this.value(v, `${path}[${i}]`, depth + 1)).filter((v) => v !== NO_VALUE);
    }
    if (!value || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' && typeof obj.Condition === 'string' && path.startsWith('Conditions') || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], obj[keys[0]], path, depth);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      if (k === 'Fn::Transform') {
        this.unresolved('Fn::Transform', `${path}.${k}`, 'macros and AWS::Include are not run locally; the included content is left out');
        continue;
      }
      const v = this.value(obj[k], `${path}.${k}`, depth + 1);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  /** Records a warning (once) and returns the placeholder for what could not be resolved. */
  private unresolved(what: string, path: string, why: string): string {
    const message = `${this.scope.source}: ${path}: ${what}: ${why}; left unresolved`;
    const warnings = this.scope.warnings;
    if (warnings && !warnings.includes(message)) warnings.push(message);
    return `${UNRESOLVED_PREFIX}${what}`;
  }

  private intrinsic(fn: string, arg: unknown, path: string, depth: number): unknown {
    const r = (v: unknown) => this.value(v, path, depth + 1);
    const malformed = (expected: string) => this.unresolved(fn, path, `expected ${expected}, found ${JSON.stringify(arg)?.slice(0, 80)}`);
    switch (fn) {
      case 'Ref': {
        const name = r(arg);
        return isUnresolved(name) ? name : typeof name === 'string' ? this.ref(name, path) : malformed('a name');
      }
      case 'Condition':
        return this.condition(String(arg), path) ?? this.unresolved(`Condition ${arg}`, path, 'its value depends on something unresolved');
      case 'Fn::GetAtt': {
        const parts = Array.isArray(arg) ? (r(arg) as unknown[]) : typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : [];
        if (parts.length !== 2 || !parts.every((p) => typeof p === 'string')) return malformed('[LogicalId, Attribute]');
        if (parts.some(isUnresolved)) return parts.find(isUnresolved);
        return this.getAtt(parts[0] as string, parts[1] as string, path);
      }
      case 'Fn::Sub':
        return this.sub(arg, path, depth);
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3) return malformed('[condition, valueIfTrue, valueIfFalse]');
        const chosen = this.condition(String(arg[0]), path);
        if (chosen === undefined) return this.unresolved(`Fn::If ${arg[0]}`, path, 'the condition depends on something unresolved');
        return r(chosen ? arg[1] : arg[2]);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) return malformed('[delimiter, [values]]');
        const list = r(arg[1]);
        if (!Array.isArray(list)) return isUnresolved(list) ? list : malformed('a list to join');
        return containsUnresolved(list) ? this.unresolved('Fn::Join', path, 'a joined value is unresolved') : list.map(String).join(String(arg[0]));
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return malformed('[index, list]');
        const index = Number(r(arg[0]));
        const list = r(arg[1]);
        if (!Array.isArray(list)) return isUnresolved(list) ? list : malformed('a list to select from');
        if (!Number.isInteger(index) || index < 0 || index >= list.length) return malformed(`an index from 0 to ${list.length - 1}`);
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) return malformed('[delimiter, text]');
        const text = r(arg[1]);
        return isUnresolved(text) ? text : String(text).split(String(arg[0]));
      }
      case 'Fn::FindInMap':
        return this.findInMap(arg, path, depth);
      case 'Fn::Base64': {
        const text = r(arg);
        return isUnresolved(text) ? text : Buffer.from(String(text)).toString('base64');
      }
      case 'Fn::GetAZs': {
        const region = r(arg);
        return availabilityZones(typeof region === 'string' && region ? region : this.scope.region);
      }
      case 'Fn::Cidr': {
        const parts = r(arg);
        if (!Array.isArray(parts) || parts.length !== 3) return malformed('[ipBlock, count, cidrBits]');
        if (containsUnresolved(parts)) return this.unresolved('Fn::Cidr', path, 'its ipBlock is unresolved');
        return cidrSubnets(String(parts[0]), Number(parts[1]), Number(parts[2])) ?? malformed('an IPv4 block, a count from 1 to 256 and cidrBits');
      }
      case 'Fn::Length': {
        const list = r(arg);
        return Array.isArray(list) ? list.length : this.unresolved('Fn::Length', path, 'not a list');
      }
      case 'Fn::ToJsonString': {
        const v = r(arg);
        return containsUnresolved(v) ? this.unresolved('Fn::ToJsonString', path, 'a value inside is unresolved') : JSON.stringify(v);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or': {
        const v = this.evaluate({ [fn]: arg }, path);
        return v === undefined ? this.unresolved(fn, path, 'it compares something unresolved') : v;
      }
      case 'Fn::ImportValue':
        return this.unresolved(`Fn::ImportValue ${JSON.stringify(r(arg))}`, path, 'another stack\'s export is not available locally');
      case 'Fn::Transform':
        return this.unresolved('Fn::Transform', path, 'macros and AWS::Include are not run locally');
      default:
        return this.unresolved(fn, path, 'this intrinsic is not supported by the local emulator');
    }
  }

  private ref(name: string, path: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name.startsWith('AWS::')) {
      const pseudo = name === 'AWS::Region' ? this.scope.region : pseudoParameter(name, this.scope.region);
      return pseudo ?? this.unresolved(`Ref ${name}`, path, 'not a pseudo-parameter');
    }
    if (name in this.scope.parameters) return this.scope.parameters[name];
    if (this.scope.missingParameters?.has(name)) {
      return this.unresolved(`Ref ${name}`, path, `Parameters.${name} has no Default; pass it with --parameter-overrides ${name}=VALUE`);
    }
    const dot = name.indexOf('.');
    if (dot > 0 && this.scope.resources[name.slice(0, dot)]) {
      // SAM's `!Ref MyFn.Alias`, `MyFn.Version`, `MyApi.Stage`, `MyApi.Deployment`.
      const target = this.named(name.slice(0, dot), path);
      const prop = name.slice(dot + 1);
      if (typeof target === 'string') return target;
      if (prop === 'Stage') return target.stageName ?? 'Prod';
      if (prop === 'Alias') return `${attributeValue(target, 'Arn', this.scope.region)}:live`;
      if (prop === 'Version') return `${attributeValue(target, 'Arn', this.scope.region)}:1`;
      return `${target.id}${prop}`;
    }
    const target = this.named(name, path);
    return typeof target === 'string' ? target : refValue(target, this.scope.region);
  }

  private getAtt(id: string, attr: string, path: string): unknown {
    const target = this.named(id, path, `Fn::GetAtt ${id}.${attr}`);
    if (typeof target === 'string') return target;
    return attributeValue(target, attr, this.scope.region) ?? this.unresolved(`Fn::GetAtt ${id}.${attr}`, path, `attribute ${attr} of ${target.type} is not emulated`);
  }

  /** The resource (or SAM-generated resource) a name refers to, or a placeholder when there is none. */
  private named(id: string, path: string, what = `Ref ${id}`): NamedResource | string {
    const res = this.scope.resources[id];
    if (!res) {
      return samGeneratedResource(id, this.scope.resources) ?? this.unresolved(what, path, `"${id}" is neither a parameter nor a resource of this template`);
    }
    const props = res.Properties ?? {};
    let declaredName = this.nameCache.get(id);
    const declared = declaredNameProperty(props);
    if (declaredName === undefined && declared !== undefined) {
      this.nameCache.set(id, id); // a cycle (a name that refers to itself) ends at the logical id
      const v = this.value(declared, `Resources.${id}.Properties`);
      declaredName = typeof v === 'string' && !isUnresolved(v) ? v : id;
      this.nameCache.set(id, declaredName);
    }
    const stage = typeof props.StageName === 'string' ? props.StageName : undefined;
    return { id, type: String(res.Type), declaredName: declaredName === id && declared === undefined ? undefined : declaredName, stageName: stage };
  }

  private sub(arg: unknown, path: string, depth: number): unknown {
    const [text, rawVars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
    if (typeof text !== 'string') return this.unresolved('Fn::Sub', path, 'expected a string or [string, {variables}]');
    const vars = (this.value(rawVars ?? {}, path, depth + 1) ?? {}) as Record<string, unknown>;
    let unresolved = false;
    const out = text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name.startsWith('!')) return '${' + name.slice(1) + '}';
      let v: unknown;
      if (name in vars) v = vars[name];
      else if (!name.startsWith('AWS::') && name.includes('.') && !(name in this.scope.parameters) && !this.scope.resources[name]) {
        const dot = name.indexOf('.');
        v = this.getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      } else v = this.ref(name.trim(), path);
      if (isUnresolved(v)) unresolved = true;
      return Array.isArray(v) ? v.join(',') : String(v);
    });
    return unresolved ? this.unresolved('Fn::Sub', path, 'a substituted value is unresolved') : out;
  }

  private findInMap(arg: unknown, path: string, depth: number): unknown {
    if (!Array.isArray(arg) || arg.length < 3) return this.unresolved('Fn::FindInMap', path, 'expected [MapName, TopLevelKey, SecondLevelKey]');
    const keys = arg.slice(0, 3).map((k) => this.value(k, path, depth + 1));
    const fallback = arg[3] && typeof arg[3] === 'object' ? (arg[3] as Record<string, unknown>).DefaultValue : undefined;
    if (keys.some(isUnresolved)) return fallback !== undefined ? this.value(fallback, path, depth + 1) : keys.find(isUnresolved);
    const found = this.scope.mappings?.[String(keys[0])]?.[String(keys[1])]?.[String(keys[2])];
    if (found !== undefined) return this.value(found, `Mappings.${keys.join('.')}`, depth + 1);
    if (fallback !== undefined) return this.value(fallback, path, depth + 1);
    return this.unresolved(`Fn::FindInMap ${keys.join('.')}`, path, `Mappings has no ${keys.join('.')}`);
  }

  /** A named condition's value; undefined when it depends on something unresolved. */
  private condition(name: string, path: string): boolean | undefined {
    if (this.conditionCache.has(name)) return this.conditionCache.get(name);
    this.conditionCache.set(name, undefined); // a cycle evaluates to unresolved
    if (!(name in this.scope.conditions)) {
      this.unresolved(`Condition ${name}`, path, 'no such condition in Conditions');
      return undefined;
    }
    const value = this.evaluate(this.scope.conditions[name], `Conditions.${name}`);
    this.conditionCache.set(name, value);
    return value;
  }

  private evaluate(expr: unknown, path: string): boolean | undefined {
    if (typeof expr === 'boolean') return expr;
    if (!expr || typeof expr !== 'object' || Array.isArray(expr)) return undefined;
    const [[fn, arg]] = Object.entries(expr as Record<string, unknown>);
    const list = Array.isArray(arg) ? arg : [arg];
    const all = (values: (boolean | undefined)[], combine: (v: boolean[]) => boolean) => (values.includes(undefined) ? undefined : combine(values as boolean[]));
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = list.map((v) => this.value(v, path));
        if (isUnresolved(a) || isUnresolved(b)) return undefined;
        return JSON.stringify(typeof a === 'number' ? String(a) : a) === JSON.stringify(typeof b === 'number' ? String(b) : b);
      }
      case 'Fn::Not': {
        const v = this.evaluate(list[0], path);
        return v === undefined ? undefined : !v;
      }
      case 'Fn::And':
        return all(list.map((c) => this.evaluate(c, path)), (v) => v.every(Boolean));
      case 'Fn::Or':
        return all(list.map((c) => this.evaluate(c, path)), (v) => v.some(Boolean));
      case 'Condition':
        return this.condition(String(arg), path);
      default: {
        const v = this.value(expr, path);
        return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
      }
    }
  }
}

/** `Fn::Cidr`: `count` subnets of 2^cidrBits addresses each, from the start of an IPv4 block. */
export function cidrSubnets(block: string, count: number, cidrBits: number): string[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(block);
  if (!m || !Number.isInteger(count) || count < 1 || count > 256 || !Number.isInteger(cidrBits) || cidrBits < 1 || cidrBits > 32) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32 || 32 - cidrBits < prefix) return undefined;
  const base = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** cidrBits;
  const network = Math.floor(base / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  if (count * size > 2 ** (32 - prefix)) return undefined;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = network + i * size;
    out.push(`${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join('.')}/${32 - cidrBits}`);
  }
  return out;
}

/** For callers that must have a value: throws TEMPLATE_INVALID naming the path when `value` is a placeholder. */
export function requireResolved<T>(value: T, source: string, path: string): T {
  if (containsUnresolved(value)) {
    throw new LarderError('TEMPLATE_INVALID', `${source}: ${path}: needed to run, but unresolved (${JSON.stringify(value)})`);
  }
  return value;
}
