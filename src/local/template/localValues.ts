/**
 * The local stand-ins for what CloudFormation would only know after a deploy: pseudo-parameters with
 * SAM CLI's own local values, what `!Ref` of each resource type returns, and the usual `!GetAtt`
 * attributes (Arn, Name, QueueUrl, StreamArn, RootResourceId, RegionalDomainName, …), all
 * well-formed values in account 123456789012. SAM-generated resources a template may refer to
 * (`MyFnRole`, `ServerlessRestApi`, `MyApiProdStage`, `MyFn.Alias`) get the same treatment.
 */

export const LOCAL_ACCOUNT_ID = '123456789012';

/** SAM CLI's values (samcli/lib/intrinsic_resolver/intrinsics_symbol_table.py), region aside. */
export function pseudoParameter(name: string, region: string): unknown {
  switch (name) {
    case 'AWS::AccountId':
      return LOCAL_ACCOUNT_ID;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return region;
    case 'AWS::StackName':
      return 'local';
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${region}:${LOCAL_ACCOUNT_ID}:stack/local/51af3dc0-da77-11e4-872e-1234567db123`;
    case 'AWS::URLSuffix':
      return 'localhost';
    case 'AWS::NotificationARNs':
      return [`arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:local-notifications`];
    default:
      return undefined;
  }
}

/** The Availability Zones `Fn::GetAZs` answers (three per region; SAM lists us-east-1's six). */
export function availabilityZones(region: string): string[] {
  const letters = region === 'us-east-1' ? ['a', 'b', 'c', 'd', 'e', 'f'] : ['a', 'b', 'c'];
  return letters.map((l) => `${region}${l}`);
}

/** A resource as far as local values go: its type and the name it declares (FunctionName, TableName, …), if any. */
export interface NamedResource {
  id: string;
  type: string;
  /** The declared physical name, resolved; undefined when not declared (the logical id stands in). */
  declaredName?: string;
  /** Api stage name (Serverless::Api StageName), for `!Ref MyApi.Stage`. */
  stageName?: string;
}

const NAME_PROPERTIES = ['FunctionName', 'TableName', 'BucketName', 'QueueName', 'TopicName', 'StateMachineName', 'LayerName', 'RoleName', 'Name', 'StreamName', 'RuleName', 'UserPoolName', 'SecretName', 'LogGroupName', 'ClusterName', 'DomainName'];

export function declaredNameProperty(props: Record<string, any>): unknown {
  for (const key of NAME_PROPERTIES) if (props[key] !== undefined) return props[key];
  return undefined;
}

/** What `!Ref` of the resource returns locally. */
export function refValue(r: NamedResource, region: string): string {
  const name = r.declaredName ?? r.id;
  switch (r.type) {
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.amazonaws.com/${LOCAL_ACCOUNT_ID}/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
    case 'AWS::Serverless::LayerVersion':
    case 'AWS::Lambda::LayerVersion':
      return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:layer:${name}:1`;
    default:
      return name;
  }
}

/** What `!GetAtt Resource.attribute` returns locally, or undefined for an attribute not emulated. */
export function attributeValue(r: NamedResource, attr: string, region: string): string | undefined {
  const name = r.declaredName ?? r.id;
  const arn = (service: string, resource: string, withRegion = true) => `arn:aws:${service}:${withRegion ? region : ''}:${withRegion ? LOCAL_ACCOUNT_ID : ''}:${resource}`;
  switch (r.type) {
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      if (attr === 'Arn') return arn('lambda', `function:${name}`);
      break;
    case 'AWS::DynamoDB::Table':
    case 'AWS::Serverless::SimpleTable':
      if (attr === 'Arn') return arn('dynamodb', `table/${name}`);
      if (attr === 'StreamArn') return arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`);
      break;
    case 'AWS::S3::Bucket':
      if (attr === 'Arn') return `arn:aws:s3:::${name}`;
      if (attr === 'DomainName') return `${name}.s3.amazonaws.com`;
      if (attr === 'RegionalDomainName') return `${name}.s3.${region}.amazonaws.com`;
      if (attr === 'DualStackDomainName') return `${name}.s3.dualstack.${region}.amazonaws.com`;
      if (attr === 'WebsiteURL') return `http://${name}.s3-website-${region}.amazonaws.com`;
      break;
    case 'AWS::SQS::Queue':
      if (attr === 'Arn') return arn('sqs', name);
      if (attr === 'QueueName') return name;
      if (attr === 'QueueUrl') return refValue(r, region);
      break;
    case 'AWS::SNS::Topic':
      if (attr === 'TopicArn') return refValue(r, region);
      if (attr === 'TopicName') return name;
      break;
    case 'AWS::Serverless::Api':
    case 'AWS::ApiGateway::RestApi':
      if (attr === 'RootResourceId') return 'local-root';
      if (attr === 'RestApiId') return r.id;
      break;
    case 'AWS::Serverless::HttpApi':
    case 'AWS::ApiGatewayV2::Api':
      if (attr === 'ApiEndpoint') return `https://${r.id}.execute-api.${region}.amazonaws.com`;
      if (attr === 'ApiId') return r.id;
      break;
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine':
      if (attr === 'Arn') return refValue(r, region);
      if (attr === 'Name') return name;
      break;
    case 'AWS::IAM::Role':
      if (attr === 'Arn') return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${name}`;
      if (attr === 'RoleId') return `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 17)}`;
      break;
    case 'AWS::Kinesis::Stream':
      if (attr === 'Arn') return arn('kinesis', `stream/${name}`);
      break;
    case 'AWS::Lambda::Url':
      if (attr === 'FunctionUrl') return `https://${r.id.toLowerCase()}.lambda-url.${region}.on.aws/`;
      break;
    case 'AWS::Events::Rule':
      if (attr === 'Arn') return arn('events', `rule/${name}`);
      break;
    case 'AWS::Cognito::UserPool':
      if (attr === 'Arn') return arn('cognito-idp', `userpool/${region}_${r.id}`);
      if (attr === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${region}_${r.id}`;
      if (attr === 'ProviderURL') return `https://cognito-idp.${region}.amazonaws.com/${region}_${r.id}`;
      break;
    case 'AWS::Logs::LogGroup':
      if (attr === 'Arn') return arn('logs', `log-group:${name}:*`);
      break;
  }
  // The attributes every type has in some form: an ARN in the type's service, a name, an id.
  if (attr === 'Arn') {
    const service = (r.type.split('::')[1] ?? 'local').toLowerCase();
    return arn(service, name);
  }
  if (/(^|[a-z])Name$/.test(attr)) return name;
  if (/(^|[a-z])Id$/.test(attr)) return r.id;
  return undefined;
}

/**
 * Resources SAM's transform adds, which templates refer to before they exist: `MyFnRole`,
 * `ServerlessRestApi`, `ServerlessHttpApi`, `MyApiProdStage`, `MyFnAliaslive`, `MyFnUrl`, … Returns the
 * generated resource's local stand-in, or undefined when the name is not one SAM would generate.
 */
export function samGeneratedResource(name: string, resources: Record<string, { Type?: string }>): NamedResource | undefined {
  if (name === 'ServerlessRestApi') return { id: name, type: 'AWS::ApiGateway::RestApi' };
  if (name === 'ServerlessHttpApi') return { id: name, type: 'AWS::ApiGatewayV2::Api' };
  if (name === 'ServerlessDeploymentBucket') return { id: name, type: 'AWS::S3::Bucket' };
  for (const [id, res] of Object.entries(resources)) {
    if (!res?.Type?.startsWith('AWS::Serverless::') || !name.startsWith(id) || name === id) continue;
    const suffix = name.slice(id.length);
    if (suffix === 'Role') return { id: name, type: 'AWS::IAM::Role' };
    if (suffix === 'Url') return { id: name, type: 'AWS::Lambda::Url' };
    return { id: name, type: `AWS::SAM::Generated` };
  }
  return undefined;
}
