/**
 * A function's asynchronous-invocation settings, read from the template as Lambda reads them:
 * SAM's `EventInvokeConfig` property (or an `AWS::Lambda::EventInvokeConfig` resource naming the
 * function) for MaximumRetryAttempts (0–2, default 2), MaximumEventAgeInSeconds (60–21600, default
 * 21600) and the OnSuccess / OnFailure destinations; and `DeadLetterQueue` (SQS or SNS), which
 * Lambda uses when no on-failure destination is set (when both are, both receive the event).
 */
import { LarderError } from '../../errors';
import type { FunctionDefinition, LoadedTemplate } from '../template';

export type DestinationType = 'SQS' | 'SNS' | 'Lambda' | 'EventBridge' | 'S3';

export interface DestinationRef {
  type: DestinationType;
  /** Queue, topic, bus, bucket or function name: names the local file (or the function invoked). */
  name: string;
  arn?: string;
  /** Where in the template it was declared. */
  declaredAt: string;
}

export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeSec: number;
  onSuccess?: DestinationRef;
  onFailure?: DestinationRef;
  deadLetterQueue?: DestinationRef;
}

export const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAX_EVENT_AGE_SEC = 21_600;

const TYPES: DestinationType[] = ['SQS', 'SNS', 'Lambda', 'EventBridge', 'S3'];
const RESOURCE_TYPES: Record<string, DestinationType> = {
  'AWS::SQS::Queue': 'SQS',
  'AWS::SNS::Topic': 'SNS',
  'AWS::Serverless::Function': 'Lambda',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::Events::EventBus': 'EventBridge',
  'AWS::S3::Bucket': 'S3',
};
const NAME_KEYS = ['QueueName', 'TopicName', 'FunctionName', 'Name', 'BucketName'];

export function asyncInvokeConfigOf(template: LoadedTemplate, fn: FunctionDefinition): AsyncInvokeConfig {
  const where = `${template.path}: Resources.${fn.logicalId}`;
  const props = template.resources[fn.logicalId]?.Properties ?? {};
  let eic: Record<string, any> | undefined = props.EventInvokeConfig;
  let eicWhere = `${where}.Properties.EventInvokeConfig`;
  for (const [id, res] of Object.entries(template.resources)) {
    if (res.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const target = String(res.Properties?.FunctionName ?? '');
    if (target === fn.functionName || target === fn.logicalId || target.endsWith(`:function:${fn.functionName}`)) {
      eic = res.Properties;
      eicWhere = `${template.path}: Resources.${id}.Properties`;
    }
  }
  const bounded = (value: unknown, key: string, min: number, max: number, fallback: number) => {
    if (value === undefined || value === null) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new LarderError('TEMPLATE_INVALID', `${eicWhere}.${key}: expected a whole number from ${min} to ${max}, found ${JSON.stringify(value)}`);
    return n;
  };
  const config: AsyncInvokeConfig = {
    maximumRetryAttempts: bounded(eic?.MaximumRetryAttempts, 'MaximumRetryAttempts', 0, 2, DEFAULT_MAX_RETRY_ATTEMPTS),
    maximumEventAgeSec: bounded(eic?.MaximumEventAgeInSeconds, 'MaximumEventAgeInSeconds', 60, 21_600, DEFAULT_MAX_EVENT_AGE_SEC),
  };
  const dc = eic?.DestinationConfig;
  if (dc?.OnSuccess) config.onSuccess = destination(template, fn, dc.OnSuccess.Type, dc.OnSuccess.Destination, `${eicWhere}.DestinationConfig.OnSuccess`, 'OnSuccess');
  if (dc?.OnFailure) config.onFailure = destination(template, fn, dc.OnFailure.Type, dc.OnFailure.Destination, `${eicWhere}.DestinationConfig.OnFailure`, 'OnFailure');
  const dlq = props.DeadLetterQueue;
  if (dlq) {
    if (dlq.Type !== 'SQS' && dlq.Type !== 'SNS') throw new LarderError('TEMPLATE_INVALID', `${where}.Properties.DeadLetterQueue.Type: expected SQS or SNS, found ${JSON.stringify(dlq.Type)}`);
    config.deadLetterQueue = destination(template, fn, dlq.Type, dlq.TargetArn, `${where}.Properties.DeadLetterQueue`, 'DeadLetterQueue');
  }
  return config;
}

function destination(template: LoadedTemplate, fn: FunctionDefinition, type: unknown, target: unknown, declaredAt: string, role: string): DestinationRef {
  const arn = typeof target === 'string' && target ? target : undefined;
  let resolvedType = typeof type === 'string' ? (TYPES.find((t) => t.toLowerCase() === type.toLowerCase()) as DestinationType | undefined) : undefined;
  if (type !== undefined && !resolvedType) throw new LarderError('TEMPLATE_INVALID', `${declaredAt}.Type: expected one of ${TYPES.join(', ')}, found ${JSON.stringify(type)}`);
  let name: string | undefined;
  if (arn && !arn.includes(':')) {
    // A bare name: our `!Ref` of a queue or topic gives its logical id (CloudFormation gives a URL or ARN).
    const res = template.resources[arn];
    resolvedType ??= res ? RESOURCE_TYPES[res.Type] : undefined;
    name = NAME_KEYS.map((k) => res?.Properties?.[k]).find((v) => typeof v === 'string' && v) ?? arn;
  } else if (arn) {
    const parts = arn.split(':');
    const service = parts[2];
    const fromService: Record<string, DestinationType> = { sqs: 'SQS', sns: 'SNS', lambda: 'Lambda', events: 'EventBridge', s3: 'S3' };
    resolvedType ??= fromService[service];
    if (service === 'local') {
      // Our intrinsics give `arn:aws:local:<region>:<account>:<LogicalId>` for resources without a known ARN shape.
      const id = parts[parts.length - 1];
      const res = template.resources[id];
      resolvedType ??= res ? RESOURCE_TYPES[res.Type] : undefined;
      const named = NAME_KEYS.map((k) => res?.Properties?.[k]).find((v) => typeof v === 'string' && v);
      name = named ?? id;
    } else if (service === 'lambda') name = parts[6];
    else if (service === 'events') name = (parts[5] ?? '').replace(/^event-bus\//, '');
    else name = parts[parts.length - 1];
  }
  if (!resolvedType) throw new LarderError('TEMPLATE_INVALID', `${declaredAt}: cannot tell the destination's type; set Type (${TYPES.join(', ')})`);
  // SAM creates the queue or topic itself when Destination is left out; we name its local file after the function.
  return { type: resolvedType, name: name || `${fn.logicalId}-${role}`, arn, declaredAt };
}
