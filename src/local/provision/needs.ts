/**
 * Which local services a template's functions need, decided from what the template says (not from
 * their code): its resources, the functions' policies, event sources and environment.
 *
 *   dynamodb  an AWS::Serverless::SimpleTable / AWS::DynamoDB::Table; a DynamoDB* SAM policy
 *             template, a `dynamodb:` action or a DynamoDB managed policy; a DynamoDB event; an
 *             environment value that is a table ARN or names a table resource
 *   s3        an AWS::S3::Bucket; an S3* policy template or `s3:` action; an S3 event; an environment
 *             value that is a bucket ARN or names a bucket resource
 *   bedrock   a `bedrock:` action or Bedrock managed policy; an environment value that is a
 *             Bedrock model id (anthropic.…, amazon.nova-…, amazon.titan-…, cohere.…, meta.llama…)
 *
 * Larder's own template (lambda_assets/template.yaml) needs all three. The commands' --services
 * flag overrides the decision either way (`--services all`, `--services s3,dynamodb`, `--no-services`).
 */
import { ValidationError } from '../../errors';
import type { LoadedTemplate } from '../template';
import type { ServiceName } from '../services/process';

export interface ServiceNeeds {
  services: ServiceName[];
  /** Why, per service: e.g. `SampleTable (AWS::Serverless::SimpleTable)`. */
  reasons: Partial<Record<ServiceName, string[]>>;
}

const TABLE_TYPES = new Set(['AWS::Serverless::SimpleTable', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);
const BUCKET_TYPES = new Set(['AWS::S3::Bucket']);
const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const MODEL_ID = /^(?:[a-z]{2}\.)?(?:anthropic\.|amazon\.(?:nova|titan)|cohere\.|meta\.llama|mistral\.|ai21\.|deepseek\.)/;

const SIGNALS: Record<ServiceName, { policy: RegExp; event: string }> = {
  dynamodb: { policy: /"DynamoDB\w*Policy"|"dynamodb:|AmazonDynamoDB\w*/, event: 'DynamoDB' },
  s3: { policy: /"S3\w*Policy"|"s3:|AmazonS3\w*/, event: 'S3' },
  bedrock: { policy: /"bedrock:|AmazonBedrock\w*/, event: '' },
};

export function servicesNeeded(template: Pick<LoadedTemplate, 'resources'>): ServiceNeeds {
  const reasons: Partial<Record<ServiceName, string[]>> = {};
  const add = (service: ServiceName, why: string) => (reasons[service] ??= []).push(why);
  const tableNames = new Map<string, string>();
  const bucketNames = new Map<string, string>();
  for (const [id, res] of Object.entries(template.resources)) {
    const props = res.Properties ?? {};
    if (TABLE_TYPES.has(res.Type)) {
      add('dynamodb', `${id} (${res.Type})`);
      tableNames.set(String(props.TableName ?? id), id);
    }
    if (BUCKET_TYPES.has(res.Type)) {
      add('s3', `${id} (${res.Type})`);
      bucketNames.set(String(props.BucketName ?? id), id);
    }
  }
  for (const [id, res] of Object.entries(template.resources)) {
    if (!FUNCTION_TYPES.has(res.Type)) continue;
    const props = res.Properties ?? {};
    const policies = JSON.stringify([props.Policies ?? [], props.Role ?? '']);
    for (const service of ['dynamodb', 's3', 'bedrock'] as const) {
      const match = SIGNALS[service].policy.exec(policies);
      if (match) add(service, `${id}'s policy ${match[0].replace(/"/g, '')}`);
    }
    for (const event of Object.values<any>(props.Events ?? {})) {
      if (event?.Type === 'DynamoDB') add('dynamodb', `${id}'s DynamoDB event`);
      if (event?.Type === 'S3') add('s3', `${id}'s S3 event`);
    }
    const variables: Record<string, unknown> = props.Environment?.Variables ?? {};
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value !== 'string') continue;
      if (tableNames.has(value) || value.startsWith('arn:aws:dynamodb:')) add('dynamodb', `${id}'s ${key}`);
      if (bucketNames.has(value) || value.startsWith('arn:aws:s3:::')) add('s3', `${id}'s ${key}`);
      if (MODEL_ID.test(value) || value.startsWith('arn:aws:bedrock:')) add('bedrock', `${id}'s ${key}`);
    }
  }
  const services = (['s3', 'dynamodb', 'bedrock'] as const).filter((s) => reasons[s]?.length);
  return { services, reasons };
}

/**
 * Reads the --services flag: `all`, `none`, or a comma list of s3, dynamodb, bedrock
 * (`ddb`/`dynamo` and `bedrock-runtime` accepted). Undefined → decide from the template.
 */
export function parseServicesFlag(value: string | undefined): ServiceName[] | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === 'auto') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'all') return ['s3', 'dynamodb', 'bedrock'];
  if (text === 'none') return [];
  const aliases: Record<string, ServiceName> = { s3: 's3', dynamodb: 'dynamodb', ddb: 'dynamodb', dynamo: 'dynamodb', bedrock: 'bedrock', 'bedrock-runtime': 'bedrock' };
  const out = new Set<ServiceName>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const name = aliases[part];
    if (!name) throw new ValidationError(`--services: unknown service "${part}" (expected all, none, auto, or a comma list of s3, dynamodb, bedrock)`);
    out.add(name);
  }
  return [...out];
}
