import { describe, expect, it } from 'vitest';
import { parseTemplateText, readTemplate, findFunction } from '../../../src/local/template';

const TEXT = `
Parameters:
  Env: { Type: String, Default: dev }
  Size: { Type: String, Default: '2048', AllowedValues: ['1024', '2048'] }
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  NotDev: !Not [!Condition IsDev]
Globals:
  Function:
    Runtime: nodejs22.x
    Timeout: 10
    Environment:
      Variables:
        SHARED: one
        OVERRIDDEN: global
  Api:
    BinaryMediaTypes: ['image~1png']
    Cors: "'*'"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub 'larder-\${Env}-fn'
      Handler: src/app.handler
      CodeUri: ./code
      MemorySize: !Ref Size
      EphemeralStorage: { Size: 1024 }
      Environment:
        Variables:
          OVERRIDDEN: local
          TABLE: !Ref Table
          ARN: !GetAtt Table.Arn
          MAYBE: !If [NotDev, prod-only, !Ref 'AWS::NoValue']
          JOINED: !Join ['-', [a, !Ref Env]]
          OTHER: !GetAtt Other.Arn
      Events:
        Get:
          Type: Api
          Properties: { Path: '/x/{id}', Method: GET }
        Queue:
          Type: SQS
          Properties: { Queue: q }
  Other:
    Type: AWS::Serverless::Function
    Properties: { Handler: other.handler }
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Sub '\${Env}-table' }
`;

describe('the template reader', () => {
  const t = readTemplate(parseTemplateText(TEXT, 'inline.yaml'), '/project/lambda_assets/template.yaml');

  it('merges Globals with function properties and resolves intrinsics against local resources', () => {
    const fn = findFunction(t, 'Fn');
    expect(fn).toMatchObject({
      functionName: 'larder-dev-fn',
      handler: 'src/app.handler',
      runtime: 'nodejs22.x',
      codeDir: '/project/lambda_assets/code',
      memoryMb: 2048,
      timeoutSec: 10,
      ephemeralStorageMb: 1024,
    });
    expect(fn.environment).toEqual({
      SHARED: 'one',
      OVERRIDDEN: 'local',
      TABLE: 'dev-table',
      ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/dev-table',
      JOINED: 'a-dev',
      OTHER: 'arn:aws:lambda:us-east-1:123456789012:function:Other',
    });
    expect(fn.apiEvents).toEqual([{ eventName: 'Get', path: '/x/{id}', method: 'GET', restApiId: undefined }]);
    expect(findFunction(t, 'larder-dev-fn').logicalId).toBe('Fn');
  });

  it('applies parameter overrides and conditions', () => {
    const prod = readTemplate(parseTemplateText(TEXT, 'inline.yaml'), '/p/t.yaml', { parameterOverrides: { Env: 'prod', Size: '1024' } });
    const fn = findFunction(prod, 'Fn');
    expect(fn.environment.MAYBE).toBe('prod-only');
    expect(fn.memoryMb).toBe(1024);
    expect(() => readTemplate(parseTemplateText(TEXT, 'x'), '/p/t.yaml', { parameterOverrides: { Size: '3' } })).toThrow(/Parameters.Size: expected one of 1024, 2048, found "3"/);
  });

  it('reads the implicit Api from Globals: binary types with ~1 unescaped, string Cors as the origin', () => {
    expect(t.apis).toEqual([{ logicalId: 'ServerlessRestApi', stageName: 'Prod', binaryMediaTypes: ['image/png'], cors: { allowOrigin: '*' } }]);
  });

  it('uses Lambda defaults: 128 MB, 3 s, 512 MB of /tmp', () => {
    expect(findFunction(t, 'Other')).toMatchObject({ memoryMb: 128, timeoutSec: 10, ephemeralStorageMb: 512 });
  });

  it('lists a function it cannot run with the reason naming the path, and refuses to run it', () => {
    const read = (body: string) => readTemplate(parseTemplateText(`Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n${body}`, 'b.yaml'), '/p/b.yaml');
    const reason = (body: string) => read(body).skippedFunctions[0]?.reason;
    expect(reason('      Handler: app.handler\n      Runtime: python3.12\n')).toMatch(/Runtime python3.12 is not a Node.js runtime/);
    expect(reason('      Handler: nodot\n      Runtime: nodejs22.x\n')).toMatch(/Resources.F.Properties.Handler: expected "file.export"/);
    expect(reason('      Handler: a.b\n      Runtime: nodejs22.x\n      Timeout: 901\n')).toMatch(/Timeout: expected a whole number from 1 to 900/);
    expect(() => findFunction(read('      Handler: a.b\n      Runtime: python3.12\n'), 'F')).toThrow(/function "F" in \/p\/b.yaml cannot run here: Runtime python3.12/);
    const lenient = read('      Handler: a.b\n      Runtime: nodejs22.x\n      Role: !ImportValue x\n');
    expect(lenient.functions.map((f) => f.logicalId)).toEqual(['F']);
    expect(lenient.warnings.join('\n')).toMatch(/Resources.F.Properties.Role: Fn::ImportValue "x": another stack's export is not available locally; left unresolved/);
    expect(() => parseTemplateText('a: [', 'broken.yaml')).toThrow(/broken.yaml: invalid YAML/);
    expect(() => parseTemplateText('a: 1', 'nores.yaml')).toThrow(/no Resources section/);
    expect(() => findFunction(t, 'Missing')).toThrow(/function "Missing" is not in .* \(functions: Fn, Other\)/);
  });
});
