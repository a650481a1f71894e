/** Model ids → model specs: exact embedding ids, chat families by pattern, profile prefixes and ARNs. */
import { describe, expect, it } from 'vitest';
import { BedrockServiceError } from '../../../src/local/services/bedrock/errors';
import { bareModelId, resolveModel } from '../../../src/local/services/bedrock/models';
import { toInt8, toPackedBits, toTitanBinary, toUint8 } from '../../../src/local/services/bedrock/quantize';

describe('resolveModel', () => {
  it.each([
    ['amazon.titan-embed-text-v2:0', 'titan-embed-v2', 1024],
    ['cohere.embed-english-v3', 'cohere-embed-v3', 1024],
    ['cohere.embed-multilingual-v3', 'cohere-embed-v3', 1024],
    ['cohere.embed-v4:0', 'cohere-embed-v4', 1536],
  ])('%s is an embedding model (%s, default %i d)', (id, format, dims) => {
    expect(resolveModel(id)).toMatchObject({ kind: 'embedding', format, defaultDimensions: dims });
  });

  it.each([
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
    ['amazon.nova-micro-v1:0', 'amazon-nova'],
    ['apac.amazon.nova-lite-v1:0', 'amazon-nova'],
    ['us.amazon.nova-2-lite-v1:0', 'amazon-nova'],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta-llama'],
    ['us.meta.llama4-maverick-17b-instruct-v1:0', 'meta-llama'],
    ['mistral.mistral-large-2402-v1:0', 'mistral'],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0', 'amazon-nova'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic'],
  ])('%s is a %s chat model', (id, family) => {
    expect(resolveModel(id)).toMatchObject({ kind: 'chat', family });
  });

  it.each(['amazon.titan-embed-text-v1', 'openai.gpt-4', 'anthropic', 'cohere.command-r-v1:0', '', 'us.'])(
    '%j is not found (ResourceNotFoundException)',
    (id) => {
      expect(() => resolveModel(id)).toThrow(BedrockServiceError);
      try {
        resolveModel(id);
      } catch (e) {
        expect((e as BedrockServiceError).errorName).toBe('ResourceNotFoundException');
        expect((e as BedrockServiceError).statusCode).toBe(404);
      }
    },
  );

  it.each(['anthropic.claude-nonexistent', 'us.anthropic.claude-haiku-9-9-20990101-v1:0', 'amazon.nova-ultra-v1:0', 'meta.llama9-1b-instruct-v1:0', 'mistral.made-up'])(
    '%s names a provider Bedrock serves but no model of it: ValidationException (400), as on Bedrock',
    (id) => {
      expect(() => resolveModel(id)).toThrow(expect.objectContaining({ errorName: 'ValidationException', statusCode: 400, message: 'The provided model identifier is invalid.' }));
    },
  );

  it('strips ARNs and inference-profile prefixes to the bare id', () => {
    expect(bareModelId('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(bareModelId('arn:aws:bedrock:eu-west-1::foundation-model/cohere.embed-v4:0')).toBe('cohere.embed-v4:0');
  });
});

describe('quantized embedding types', () => {
  const v = Float64Array.from([0.5, -0.25, 0, 0.1, -0.5, 0.3, 0.2, -0.1, 0.05]);

  it('int8 / uint8 scale by the largest magnitude', () => {
    expect(toInt8(v)).toEqual([127, -64, 0, 25, -127, 76, 51, -25, 13]);
    expect(toUint8(v)).toEqual([255, 64, 128, 153, 1, 204, 179, 103, 141]);
  });

  it('binary / ubinary pack one sign bit per dimension, most significant first', () => {
    // signs: + - 0 + - + + - | +  → 1001 0110 | 1000 0000
    expect(toPackedBits(v, false)).toEqual([0b10010110, 0b10000000]);
    expect(toPackedBits(v, true)).toEqual([0b10010110 - 128, 0b10000000 - 128]);
  });

  it('Titan binary is one 0/1 per dimension', () => {
    expect(toTitanBinary(v)).toEqual([1, 0, 0, 1, 0, 1, 1, 0, 1]);
  });
});
