/**
 * Template loading like SAM CLI's: lenient resolution with SAM's local values, placeholders plus one
 * warning naming the path for what cannot resolve, and every function kind read or skipped with a reason.
 */
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { findFunction, isUnresolved, loadTemplate, parseTemplateText, readTemplate } from '../../../src/local/template';
import { cidrSubnets } from '../../../src/local/template/intrinsics';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/sam');

describe('intrinsics resolved with SAM CLI\'s local values', () => {
  const t = loadTemplate(join(FIXTURES, 'intrinsics/template.yaml'));
  const fn = findFunction(t, 'EchoEnvFunction');

  it('resolves FindInMap, pseudo-parameters, Select/Split/Join/Base64/Cidr/GetAZs and the usual GetAtt attributes', () => {
    expect(fn.memoryMb).toBe(256);
    expect(fn.environment).toEqual({
      LOG_LEVEL: 'debug',
      STACK_NAME: 'local',
      STACK_ID: 'arn:aws:cloudformation:us-east-1:123456789012:stack/local/51af3dc0-da77-11e4-872e-1234567db123',
      URL_SUFFIX: 'localhost',
      FIRST_AZ: 'us-east-1a',
      SECOND_SUBNET: 'subnet-b',
      SPLIT_PART: 'c',
      JOINED: 'dev:us-east-1',
      ENCODED: Buffer.from('hello').toString('base64'),
      CIDR_BLOCK: '10.0.1.0/24',
      QUEUE_NAME: 'work-dev',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/work-dev',
      STREAM_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/Table/stream/1970-01-01T00:00:00.000',
      BUCKET_DOMAIN: 'Assets.s3.us-east-1.amazonaws.com',
      ROOT_RESOURCE: 'local-root',
      ROLE_ARN: 'arn:aws:iam::123456789012:role/EchoEnvFunctionRole',
      SUBSTITUTED: 'local-dev-work-dev',
    });
    expect(fn.apiEvents).toEqual([{ eventName: 'Get', path: '/echo', method: 'GET', restApiId: 'RestApi' }]);
    expect(t.apis.find((a) => a.logicalId === 'RestApi')?.stageName).toBe('dev');
  });

  it('leaves what it cannot resolve as a placeholder, with one warning naming the template path', () => {
    const policy = t.resources.SharedAccessPolicy.Properties!.PolicyDocument.Statement[0].Resource;
    expect(isUnresolved(policy)).toBe(true);
    const email = t.resources.AlarmTopic.Properties!.Subscription[0].Endpoint;
    expect(isUnresolved(email)).toBe(true);
    const warnings = t.warnings.join('\n');
    expect(warnings).toMatch(/Resources\.SharedAccessPolicy\.Properties\.PolicyDocument\.Statement\[0\]\.Resource: Fn::ImportValue "shared-parameters-arn"/);
    expect(warnings).toMatch(/Resources\.AlarmTopic\.Properties\.Subscription\[0\]\.Endpoint: Ref AlertEmail: Parameters\.AlertEmail has no Default; pass it with --parameter-overrides AlertEmail=VALUE/);
    expect(t.warnings.filter((w) => w.includes('AlarmTopic'))).toHaveLength(1);
    expect(t.functions.map((f) => f.logicalId)).toEqual(['EchoEnvFunction']);
  });

  it('applies overrides: another mapping row, a condition turned on, a parameter given', () => {
    const prod = loadTemplate(join(FIXTURES, 'intrinsics/template.yaml'), { parameterOverrides: { Stage: 'prod', AlertEmail: 'ops@example.com' } });
    const p = findFunction(prod, 'EchoEnvFunction');
    expect(p.memoryMb).toBe(1024);
    expect(p.environment.PROD_ONLY).toBe('yes');
    expect(prod.resources.AlarmTopic.Properties!.Subscription[0].Endpoint).toBe('ops@example.com');
    expect(() => loadTemplate(join(FIXTURES, 'intrinsics/template.yaml'), { parameterOverrides: { Stage: 'qa' } })).toThrow(/Parameters.Stage: expected one of dev, prod, found "qa"/);
  });

  it('exposes the raw template and the same resolver, so other modules read what they need', () => {
    expect(t.raw.Resources.EchoEnvFunction.Properties!.MemorySize).toEqual({ 'Fn::FindInMap': ['StageSettings', { Ref: 'Stage' }, 'Memory'] });
    expect(t.resolve(t.raw.Resources.RestApi.Properties!.StageName, 'Resources.RestApi.Properties.StageName')).toBe('dev');
    expect(t.resolve({ 'Fn::GetAtt': ['WorkQueue', 'Arn'] }, 'x')).toBe('arn:aws:sqs:us-east-1:123456789012:work-dev');
  });

  it('computes Fn::Cidr as CloudFormation does', () => {
    expect(cidrSubnets('192.168.0.0/24', 6, 5)).toEqual(['192.168.0.0/27', '192.168.0.32/27', '192.168.0.64/27', '192.168.0.96/27', '192.168.0.128/27', '192.168.0.160/27']);
    expect(cidrSubnets('10.0.0.0/24', 300, 8)).toBeUndefined();
  });
});

describe('lenient parsing', () => {
  it('takes the last of duplicate YAML keys, as PyYAML does, with a warning naming the path', () => {
    const warnings: string[] = [];
    const data = parseTemplateText('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.first\n      Handler: a.second\n      Runtime: nodejs22.x\n', 'dup.yaml', warnings);
    expect(data.Resources.F.Properties.Handler).toBe('a.second');
    expect(warnings).toEqual(['dup.yaml: Resources.F.Properties.Handler: duplicate key; the last value wins (as in PyYAML, which SAM uses)']);
  });

  it('reads JSON templates (cdk synth output) with their asset paths', () => {
    const t = loadTemplate(join(FIXTURES, 'cdk-synth/HelloCdkStack.template.json'));
    const fn = findFunction(t, 'HelloHandler2E4FBA4D');
    expect(fn).toMatchObject({ resourceType: 'AWS::Lambda::Function', runtime: 'nodejs22.x', codeDir: join(FIXTURES, 'cdk-synth/asset.3f1e0a9c2b') });
    expect(fn.environment).toEqual({ GREETING: 'hello from cdk', TABLE: 'GreetingsTable6EF9A2B1' });
    expect(t.skippedFunctions).toEqual([]);
  });

  it('does not let an unresolved value a function needs pass silently', () => {
    const t = readTemplate(
      parseTemplateText('Parameters:\n  H: { Type: String }\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Ref H\n      Runtime: nodejs22.x\n      Environment:\n        Variables:\n          X: !ImportValue other\n', 'p.yaml'),
      '/p/t.yaml',
    );
    expect(t.skippedFunctions[0]).toMatchObject({ logicalId: 'F', reason: expect.stringMatching(/Properties.Handler: expected "file.export"/) });
    const given = readTemplate(parseTemplateText('Parameters:\n  H: { Type: String }\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Ref H\n      Runtime: nodejs22.x\n      Environment:\n        Variables:\n          X: !ImportValue other\n', 'p.yaml'), '/p/t.yaml', { parameterOverrides: { H: 'app.handler' } });
    const fn = findFunction(given, 'F');
    expect(fn.handler).toBe('app.handler');
    // SAM CLI sets a variable it cannot resolve to "", and says so here.
    expect(fn.environment.X).toBe('');
    expect(given.warnings.join('\n')).toMatch(/Environment.Variables.X is unresolved; it is set to "" \(give it a value with --env-vars\)/);
  });
});

describe('every function a template can hold', () => {
  it('reads Serverless, InlineCode and Lambda ZipFile functions, with local and ARN layers', () => {
    const t = loadTemplate(join(FIXTURES, 'every-function/template.yaml'));
    expect(t.functions.map((f) => [f.logicalId, f.resourceType])).toEqual([
      ['ServerlessFunction', 'AWS::Serverless::Function'],
      ['InlineFunction', 'AWS::Serverless::Function'],
      ['ZipFileFunction', 'AWS::Lambda::Function'],
    ]);
    expect(findFunction(t, 'ServerlessFunction').layers).toEqual([
      { logicalId: 'GreetingLayer', contentDir: join(FIXTURES, 'every-function/layer') },
      { arn: 'arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:3' },
    ]);
    expect(findFunction(t, 'InlineFunction').inlineCode).toContain("kind: 'InlineCode'");
    expect(findFunction(t, 'ZipFileFunction').codeDir.startsWith(join(tmpdir(), 'larder-inline'))).toBe(true);
  });

  it('lists functions it cannot run with the reason, runs the rest, and warns about deprecated Node runtimes', () => {
    const t = loadTemplate(join(FIXTURES, 'other-runtimes/template.yaml'));
    expect(t.functions.map((f) => f.logicalId)).toEqual(['NodeFunction', 'Node18Function']);
    expect(Object.fromEntries(t.skippedFunctions.map((f) => [f.logicalId, f.reason]))).toEqual({
      PythonFunction: 'Runtime python3.13 is not a Node.js runtime; Larder runs nodejs* functions only',
      JavaFunction: 'Runtime java21 is not a Node.js runtime; Larder runs nodejs* functions only',
      ImageFunction: 'PackageType Image: a container image needs Docker; Larder runs .zip (Node.js) functions',
      S3CodeFunction: 'the code is in S3 (s3://my-artifacts/hello.zip); point CodeUri at a local folder',
    });
    expect(t.warnings.join('\n')).toMatch(/Node18Function: Runtime nodejs18.x is deprecated by Lambda/);
    expect(() => findFunction(t, 'PythonFunction')).toThrow(/cannot run here: Runtime python3.13 is not a Node.js runtime/);
  });

  it('reads AWS::Lambda::Function with a local Code path (before `aws cloudformation package`)', () => {
    const t = readTemplate(parseTemplateText('Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: ./src\n      Handler: app.handler\n      Runtime: nodejs24.x\n      Role: arn:aws:iam::123456789012:role/r\n', 'l.yaml'), '/p/t.yaml');
    expect(findFunction(t, 'F')).toMatchObject({ codeDir: '/p/src', runtime: 'nodejs24.x', events: {}, layers: [] });
  });
});

describe('YAML that PyYAML accepts and YAML 1.2 does not', () => {
  it('reads a flow collection whose continuation lines are not indented past its key, with a warning', () => {
    const warnings: string[] = [];
    const text = 'Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Auth:\n        ResourcePolicy:\n          CustomStatements: [{\n            "Effect": "Allow",\n            "Resource": "execute-api:/*"\n          }]\n';
    const data = parseTemplateText(text, 'flow.yaml', warnings);
    expect(data.Resources.Api.Properties.Auth.ResourcePolicy.CustomStatements).toEqual([{ Effect: 'Allow', Resource: 'execute-api:/*' }]);
    expect(warnings).toEqual(["flow.yaml: line 10: a flow collection's continuation line is not indented past its key; read as PyYAML reads it"]);
  });
});

describe('larder list', () => {
  it('reports every kind of route with its auth, and every resource', async () => {
    const { listTemplate } = await import('../../../src/cli/commands/list');
    const listing = listTemplate(loadTemplate(join(FIXTURES, 'routes/template.yaml')));
    expect(listing.routes).toEqual([
      { method: 'GET', path: '/items', kind: 'rest', auth: 'TokenAuthorizer', function: 'ItemsFunction', api: 'RestApi' },
      { method: 'GET', path: '/health', kind: 'rest', auth: 'NONE', function: 'ItemsFunction', api: 'RestApi' },
      { method: 'GET', path: '/v2/items/{id}', kind: 'http', auth: 'NONE', function: 'ItemsFunction', api: 'ServerlessHttpApi' },
      { method: 'ANY', path: '/{proxy+}', kind: 'url', auth: 'NONE', function: 'ItemsFunction' },
      { method: 'ANY', path: '/{proxy+}', kind: 'http', auth: 'NONE', function: 'ItemsFunction', api: 'QuickApi' },
    ]);
    expect(listing.functions).toEqual([
      { logicalId: 'ItemsFunction', runtime: 'nodejs22.x', handler: 'app.handler', runnable: true },
      { logicalId: 'AuthorizerFunction', runtime: 'nodejs22.x', handler: 'app.authorize', runnable: true },
    ]);
    expect(listing.resources.map((r) => r.type)).toEqual(['AWS::Serverless::Api', 'AWS::Serverless::Function', 'AWS::Serverless::Function', 'AWS::ApiGatewayV2::Api']);
  });

  it('lists functions it cannot run with the reason, in template order', async () => {
    const { listTemplate } = await import('../../../src/cli/commands/list');
    const listing = listTemplate(loadTemplate(join(FIXTURES, 'other-runtimes/template.yaml')));
    expect(listing.functions.map((f) => [f.logicalId, f.runnable])).toEqual([
      ['NodeFunction', true], ['Node18Function', true], ['PythonFunction', false], ['JavaFunction', false], ['ImageFunction', false], ['S3CodeFunction', false],
    ]);
    expect(listing.functions.find((f) => f.logicalId === 'JavaFunction')).toEqual({ logicalId: 'JavaFunction', runtime: 'java21', handler: 'hello.App::handleRequest', runnable: false, reason: 'Runtime java21 is not a Node.js runtime; Larder runs nodejs* functions only' });
  });
});
