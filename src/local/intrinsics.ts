/**
 * Resolves the CloudFormation intrinsics our template uses against local stand-ins: a function's
 * `!Ref` is its name (FunctionName or logical id, which is also what `larder start-lambda` answers
 * to), a table's or bucket's `!Ref` is its declared name (or the logical id), `!GetAtt X.Arn` is a
 * well-formed fake ARN in account 123456789012. `AWS::NoValue` removes the key, as in CloudFormation.
 */
import { LarderError } from '../errors';

export const LOCAL_ACCOUNT_ID = '123456789012';
const NO_VALUE = Symbol('AWS::NoValue');

export interface ResolveScope {
  source: string;
  region: string;
  parameters: Record<string, string>;
  conditions: Record<string, unknown>;
  resources: Record<string, any>;
}

export function resolveIntrinsics(value: unknown, scope: ResolveScope, path: string): unknown {
  const out = resolveValue(value, scope, path);
  return out === NO_VALUE ? undefined : out;
}

function resolveValue(value: unknown, scope: ResolveScope, path: string): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => resolveValue(v, scope, `${path}[${i}]`)).filter((v) => v !== NO_VALUE);
  }
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return resolveFunction(keys[0], obj[keys[0]], scope, path);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = resolveValue(obj[k], scope, `${path}.${k}`);
    if (v !== NO_VALUE) out[k] = v;
  }
  return out;
}

function resolveFunction(fn: string, arg: unknown, scope: ResolveScope, path: string): unknown {
  const fail = (msg: string): never => {
    throw new LarderError('TEMPLATE_INVALID', `${scope.source}: ${path}: ${fn}: ${msg}`);
  };
  const r = (v: unknown) => resolveValue(v, scope, path);
  switch (fn) {
    case 'Ref':
      return ref(String(arg), scope, fail);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return getAtt(id, attr, scope, fail);
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? [String(arg[0]), (r(arg[1]) ?? {}) as Record<string, unknown>] : [String(arg), {}];
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        if (name.startsWith('!')) return '${' + name.slice(1) + '}';
        if (name in vars) return String(vars[name]);
        if (name.includes('.')) {
          const [id, attr] = name.split('.');
          return String(getAtt(id, attr, scope, fail));
        }
        return String(ref(name, scope, fail));
      });
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3) fail('expected [condition, valueIfTrue, valueIfFalse]');
      const [cond, yes, no] = arg as unknown[];
      return condition(String(cond), scope, fail) ? r(yes) : r(no);
    }
    case 'Fn::Join': {
      const [sep, list] = arg as [string, unknown[]];
      return (r(list) as unknown[]).map(String).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown[]];
      return (r(list) as unknown[])[Number(r(index))];
    }
    case 'Fn::Split': {
      const [sep, text] = arg as [string, unknown];
      return String(r(text)).split(sep);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return evaluateCondition({ [fn]: arg }, scope, fail);
    default:
      return fail('this intrinsic is not supported by the local emulator');
  }
}

function ref(name: string, scope: ResolveScope, fail: (m: string) => never): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name === 'AWS::Region') return scope.region;
  if (name === 'AWS::AccountId') return LOCAL_ACCOUNT_ID;
  if (name === 'AWS::StackName') return 'larder-local';
  if (name === 'AWS::Partition') return 'aws';
  if (name === 'AWS::URLSuffix') return 'amazonaws.com';
  if (name in scope.parameters) return scope.parameters[name];
  const res = scope.resources[name];
  if (!res) return fail(`"${name}" is neither a parameter nor a resource`);
  const props = res.Properties ?? {};
  const declared = props.FunctionName ?? props.TableName ?? props.BucketName;
  if (declared !== undefined) {
    const v = resolveValue(declared, scope, `Resources.${name}`);
    if (typeof v === 'string') return v;
  }
  return name;
}

function getAtt(id: string, attr: string, scope: ResolveScope, fail: (m: string) => never): unknown {
  const res = scope.resources[id];
  if (!res) return fail(`no resource "${id}"`);
  const name = String(ref(id, scope, fail));
  const { region } = scope;
  switch (`${res.Type}.${attr}`) {
    case 'AWS::Serverless::Function.Arn':
    case 'AWS::Lambda::Function.Arn':
      return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${name}`;
    case 'AWS::S3::Bucket.Arn':
      return `arn:aws:s3:::${name}`;
    case 'AWS::S3::Bucket.DomainName':
      return `${name}.s3.amazonaws.com`;
    case 'AWS::Serverless::Api.RootResourceId':
      return 'local-root';
    default:
      if (attr === 'Arn') return `arn:aws:local:${region}:${LOCAL_ACCOUNT_ID}:${id}`;
      return fail(`attribute ${attr} of ${res.Type} is not emulated`);
  }
}

function condition(name: string, scope: ResolveScope, fail: (m: string) => never): boolean {
  if (!(name in scope.conditions)) fail(`no condition "${name}" in Conditions`);
  return evaluateCondition(scope.conditions[name], scope, fail);
}

function evaluateCondition(expr: unknown, scope: ResolveScope, fail: (m: string) => never): boolean {
  if (!expr || typeof expr !== 'object') return fail(`a condition must be an object, found ${JSON.stringify(expr)}`);
  const [[fn, arg]] = Object.entries(expr as Record<string, unknown>);
  const list = Array.isArray(arg) ? arg : [arg];
  switch (fn) {
    case 'Fn::Equals':
      return String(resolveValue(list[0], scope, 'Conditions')) === String(resolveValue(list[1], scope, 'Conditions'));
    case 'Fn::Not':
      return !evaluateCondition(list[0], scope, fail);
    case 'Fn::And':
      return list.every((c) => evaluateCondition(c, scope, fail));
    case 'Fn::Or':
      return list.some((c) => evaluateCondition(c, scope, fail));
    case 'Condition':
      return condition(String(arg), scope, fail);
    default:
      return fail(`condition function ${fn} is not supported`);
  }
}
