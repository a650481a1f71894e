import { describe, expect, it } from 'vitest';
import { parseTemplateText, readTemplate } from '../../../src/local/template';
import { asyncInvokeConfigOf } from '../../../src/local/lambda/asyncInvokeConfig';

function configOf(resources: string, fn = 'Fn') {
  const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.handler
      Runtime: nodejs22.x
${resources}`;
  const template = readTemplate(parseTemplateText(text, 't.yaml'), '/x/t.yaml');
  return asyncInvokeConfigOf(template, template.functions.find((f) => f.logicalId === fn)!);
}

describe('a function\'s asynchronous invocation settings', () => {
  it('defaults to Lambda\'s: 2 retries, 6 hours, no destinations', () => {
    expect(configOf('')).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSec: 21_600 });
  });

  it('reads SAM\'s EventInvokeConfig with destinations named by ARN, and the DeadLetterQueue', () => {
    const c = configOf(`      EventInvokeConfig:
        MaximumRetryAttempts: 0
        MaximumEventAgeInSeconds: 120
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: arn:aws:sqs:us-east-1:123456789012:failures
          OnSuccess:
            Type: Lambda
            Destination: arn:aws:lambda:us-east-1:123456789012:function:next-step
      DeadLetterQueue:
        Type: SNS
        TargetArn: arn:aws:sns:us-east-1:123456789012:dead`);
    expect(c).toMatchObject({
      maximumRetryAttempts: 0,
      maximumEventAgeSec: 120,
      onFailure: { type: 'SQS', name: 'failures' },
      onSuccess: { type: 'Lambda', name: 'next-step' },
      deadLetterQueue: { type: 'SNS', name: 'dead' },
    });
  });

  it('reads an AWS::Lambda::EventInvokeConfig resource that names the function', () => {
    const c = configOf(`  Config:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: $LATEST
      MaximumRetryAttempts: 1
      DestinationConfig:
        OnFailure:
          Destination: arn:aws:events:us-east-1:123456789012:event-bus/ops`);
    expect(c).toMatchObject({ maximumRetryAttempts: 1, onFailure: { type: 'EventBridge', name: 'ops' } });
  });

  it.each([
    ['      EventInvokeConfig:\n        MaximumRetryAttempts: 3', /EventInvokeConfig\.MaximumRetryAttempts: expected a whole number from 0 to 2, found 3/],
    ['      EventInvokeConfig:\n        MaximumEventAgeInSeconds: 30', /MaximumEventAgeInSeconds: expected a whole number from 60 to 21600/],
    ['      DeadLetterQueue:\n        Type: Kinesis\n        TargetArn: x', /DeadLetterQueue\.Type: expected SQS or SNS/],
    ['      EventInvokeConfig:\n        DestinationConfig:\n          OnFailure:\n            Type: Carrier', /OnFailure\.Type: expected one of SQS, SNS, Lambda, EventBridge, S3/],
  ])('refuses %s with the path and what was expected', (yaml, message) => {
    expect(() => configOf(yaml)).toThrow(message);
  });
});
