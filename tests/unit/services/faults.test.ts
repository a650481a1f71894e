import { describe, expect, it } from 'vitest';
import { defaultErrorCode, errorReply } from '../../../src/local/services/errorShapes';
import { FaultState, parseFaultRules } from '../../../src/local/services/faults';

describe('FaultState', () => {
  it('fails exactly the next N matching requests, then retires the rule', () => {
    const state = new FaultState();
    state.add({ failNext: 2, status: 429, code: 'SlowDown', match: { operation: 'GetObject' } });

    const decisions = ['GetObject', 'PutObject', 'GetObject', 'GetObject'].map((op) => state.decide(op, '/b/k', undefined));

    expect(decisions.map((d) => d.fail?.status ?? null)).toEqual([429, null, 429, null]);
    expect(decisions[0].fail?.code).toBe('SlowDown');
    expect(state.list()).toEqual([]);
  });

  it('scopes rules by path prefix and by text in the request body', () => {
    const state = new FaultState();
    state.add({ failNext: 5, match: { pathPrefix: '/mine/' } });
    state.add({ failNext: 5, match: { bodyIncludes: '"TableName":"orders"' } });

    expect(state.decide('GetObject', '/other/k', undefined).fail).toBeUndefined();
    expect(state.decide('GetObject', '/mine/k', undefined).fail?.status).toBe(503);
    expect(state.needsBody()).toBe(true);
    expect(state.decide('GetItem', '/', '{"TableName":"users"}').fail).toBeUndefined();
    expect(state.decide('GetItem', '/', '{"TableName":"orders","Key":{}}').fail).toBeDefined();
  });

  it('fails first, then truncates, within one rule; latency-only rules stay until cleared', () => {
    const state = new FaultState();
    const latencyId = state.add({ latencyMs: 40 });
    state.add({ failNext: 1, truncateNext: 1 });

    const [a, b, c] = [1, 2, 3].map(() => state.decide('Converse', '/model/x/converse', undefined));

    expect([a.fail !== undefined, a.truncate, a.latencyMs]).toEqual([true, false, 40]);
    expect([b.fail !== undefined, b.truncate]).toEqual([false, true]);
    expect([c.fail !== undefined, c.truncate, c.latencyMs]).toEqual([false, false, 40]);
    state.clear(latencyId);
    expect(state.decide('Converse', '/', undefined).latencyMs).toBe(0);
  });

  it('counts requests per operation and resets', () => {
    const state = new FaultState();
    ['PutItem', 'GetItem', 'PutItem'].forEach((op) => state.count(op));
    expect(state.stats()).toEqual({ GetItem: 1, PutItem: 2 });
    state.resetStats();
    expect(state.stats()).toEqual({});
  });

  it('rejects an invalid rule naming where it came from and what is wrong', () => {
    expect(() => parseFaultRules([{ failNext: 1 }, { failNext: 1, status: 200 }], 'LARDER_FAULTS_S3')).toThrow(/LARDER_FAULTS_S3: invalid fault rule at 1\.status/);
    expect(() => parseFaultRules({ failnext: 1 }, 'POST /__larder/faults')).toThrow(/POST \/__larder\/faults: invalid fault rule/);
  });
});

describe('error shapes', () => {
  it('S3: XML with Code, no body for HEAD', () => {
    const reply = errorReply('s3', 503, defaultErrorCode('s3', 503), 'slow', 'GET');
    expect(reply.headers['content-type']).toBe('application/xml');
    expect(reply.body).toContain('<Code>SlowDown</Code>');
    expect(errorReply('s3', 503, 'SlowDown', 'slow', 'HEAD').body).toBe('');
  });

  it('DynamoDB: JSON with the namespaced __type', () => {
    const reply = errorReply('dynamodb', 400, defaultErrorCode('dynamodb', 429), 'slow down', 'POST');
    expect(JSON.parse(reply.body)).toEqual({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' });
  });

  it('Bedrock: the code in x-amzn-ErrorType, the message in the JSON body', () => {
    const reply = errorReply('bedrock', 503, defaultErrorCode('bedrock', 503), 'busy', 'POST');
    expect(reply.headers['x-amzn-errortype']).toBe('ServiceUnavailableException');
    expect(JSON.parse(reply.body)).toEqual({ message: 'busy' });
  });
});
