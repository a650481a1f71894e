/**
 * Every error the emulator answers surfaces through the real BedrockRuntimeClient as the SDK's typed
 * exception class, with Bedrock's HTTP status, and the emulator keeps serving afterwards.
 */
import {
  AccessDeniedException,
  BedrockRuntimeServiceException,
  ConverseCommand,
  InvokeModelCommand,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATE_ERROR_HEADER } from '../../../src/local/services/bedrock';
import { invokeJson, startEmulatorWithClient, type EmulatorFixture } from './helpers';

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE_V3 = 'cohere.embed-english-v3';
const COHERE_V4 = 'cohere.embed-v4:0';
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startEmulatorWithClient();
});
afterAll(async () => {
  await fixture?.stop();
});

type ErrorClass = new (...args: any[]) => BedrockRuntimeServiceException;

async function expectError(promise: Promise<unknown>, errorClass: ErrorClass, status: number, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(errorClass);
  const typed = error as BedrockRuntimeServiceException;
  expect(typed.$metadata.httpStatusCode).toBe(status);
  if (message) expect(typed.message).toMatch(message);
}

const invoke = (modelId: string, body: unknown) => invokeJson(fixture.client, modelId, body);
const converse = (input: Record<string, unknown>) =>
  fixture.client.send(new ConverseCommand({ modelId: HAIKU, ...input } as never));

describe('InvokeModel validation', () => {
  it.each<[string, string, unknown, RegExp]>([
    ['body not JSON', TITAN, 'this is not json', /not valid JSON/],
    ['body a JSON array', TITAN, '[1,2]', /expected type: JSONObject/],
    ['Titan without inputText', TITAN, { text: 'x' }, /required key \[inputText\]/],
    ['Titan inputText not a string', TITAN, { inputText: 42 }, /#\/inputText: expected type: String/],
    ['Titan empty inputText', TITAN, { inputText: '' }, /minLength: 1/],
    ['Titan inputText over 50,000 chars', TITAN, { inputText: 'a '.repeat(25_001) }, /maxLength: 50000/],
    ['Titan over 8,192 tokens', TITAN, { inputText: 'abcdefgh'.repeat(4_200) }, /Too many input tokens/],
    ['Titan invalid dimensions', TITAN, { inputText: 'x', dimensions: 300 }, /#\/dimensions/],
    ['Titan invalid embeddingTypes', TITAN, { inputText: 'x', embeddingTypes: ['int8'] }, /#\/embeddingTypes\/0/],
    ['Titan normalize not boolean', TITAN, { inputText: 'x', normalize: 'yes' }, /#\/normalize/],
    ['Cohere without texts', COHERE_V3, { input_type: 'search_document' }, /required key \[texts\]/],
    ['Cohere without input_type', COHERE_V3, { texts: ['x'] }, /required key \[input_type\]/],
    ['Cohere bad input_type', COHERE_V3, { texts: ['x'], input_type: 'document' }, /#\/input_type/],
    ['Cohere texts not an array', COHERE_V3, { texts: 'x', input_type: 'search_query' }, /#\/texts: expected type: JSONArray/],
    ['Cohere texts not strings', COHERE_V3, { texts: ['x', 3], input_type: 'search_query' }, /#\/texts\/1/],
    ['Cohere empty text', COHERE_V3, { texts: ['x', ''], input_type: 'search_query' }, /#\/texts\/1: expected minLength/],
    ['Cohere empty texts', COHERE_V3, { texts: [], input_type: 'search_query' }, /minItems/],
    ['Cohere 97 texts', COHERE_V3, { texts: Array(97).fill('x'), input_type: 'search_document' }, /maxItems: 96/],
    ['Cohere text over 2,048 chars (truncate defaults to NONE)', COHERE_V3, { texts: ['y'.repeat(2049)], input_type: 'search_document' }, /maxLength: 2048/],
    ['Cohere text over 2,048 chars with truncate NONE', COHERE_V3, { texts: ['y'.repeat(2049)], input_type: 'search_document', truncate: 'NONE' }, /maxLength: 2048/],
    ['Cohere v3 truncate value of v4', COHERE_V3, { texts: ['y'], input_type: 'search_document', truncate: 'LEFT' }, /#\/truncate/],
    ['Cohere bad embedding_types', COHERE_V3, { texts: ['y'], input_type: 'search_document', embedding_types: ['double'] }, /embedding_types/],
    ['Cohere v4 invalid output_dimension', COHERE_V4, { texts: ['y'], input_type: 'search_document', output_dimension: 768 }, /output_dimension/],
    ['Cohere v4 97 texts', COHERE_V4, { texts: Array(97).fill('x'), input_type: 'search_document' }, /maxItems: 96/],
    ['Titan with a Cohere key', TITAN, { inputText: 'x', input_type: 'search_query' }, /extraneous key \[input_type\]/],
    ['Cohere v3 with a v4-only key', COHERE_V3, { texts: ['x'], input_type: 'search_query', output_dimension: 1024 }, /extraneous key \[output_dimension\]/],
    ['Cohere v4 with a Titan key', COHERE_V4, { texts: ['x'], input_type: 'search_query', dimensions: 1024 }, /extraneous key \[dimensions\]/],
    ['Anthropic body without anthropic_version', HAIKU, { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, /required key \[anthropic_version\]/],
    ['Anthropic body without max_tokens', HAIKU, { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'hi' }] }, /required key \[max_tokens\]/],
    ['Llama body without prompt', 'meta.llama3-1-70b-instruct-v1:0', { max_gen_len: 10 }, /required key \[prompt\]/],
  ])('%s → ValidationException 400', async (_name, modelId, body, message) => {
    await expectError(invoke(modelId, body), ValidationException, 400, message);
  });

  it('unknown model id → ResourceNotFoundException 404 naming the id', async () => {
    await expectError(invoke('amazon.titan-embed-text-v9:0', { inputText: 'x' }), ResourceNotFoundException, 404, /titan-embed-text-v9/);
  });
});

describe('Converse validation', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no messages', {}, /messages/],
    ['empty messages', { messages: [] }, /must start with a user message/],
    ['starts with assistant', { messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] }, /must start with a user message/],
    ['bad role', { messages: [{ role: 'system', content: [{ text: 'hi' }] }] }, /enum value set: \[user, assistant\]/],
    ['roles do not alternate', { messages: [{ role: 'user', content: [{ text: 'a' }] }, { role: 'user', content: [{ text: 'b' }] }] }, /alternate/],
    ['empty content', { messages: [{ role: 'user', content: [] }] }, /content field/],
    ['maxTokens 0', { messages: [{ role: 'user', content: [{ text: 'a' }] }], inferenceConfig: { maxTokens: 0 } }, /maxTokens/],
    ['maxTokens over the model limit', { messages: [{ role: 'user', content: [{ text: 'a' }] }], inferenceConfig: { maxTokens: 10_000_000 } }, /model limit/],
    ['temperature above 1', { messages: [{ role: 'user', content: [{ text: 'a' }] }], inferenceConfig: { temperature: 1.5 } }, /temperature/],
  ])('%s → ValidationException 400', async (_name, input, message) => {
    await expectError(converse(input), ValidationException, 400, message);
  });

  it('Converse on an embedding model → ValidationException', async () => {
    await expectError(
      fixture.client.send(new ConverseCommand({ modelId: TITAN, messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
      ValidationException,
      400,
      /doesn't support the model/,
    );
  });

  it('Converse on an unknown model → ResourceNotFoundException', async () => {
    await expectError(
      fixture.client.send(new ConverseCommand({ modelId: 'openai.gpt-9', messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
      ResourceNotFoundException,
      404,
    );
  });
});

describe('errors requested with the simulate header', () => {
  function withSimulatedError(client: BedrockRuntimeClient, name: string) {
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers[SIMULATE_ERROR_HEADER] = name;
        return next(args);
      },
      { step: 'build', name: 'simulateBedrockError', override: true },
    );
  }

  it.each<[string, ErrorClass, number]>([
    ['ThrottlingException', ThrottlingException, 429],
    ['AccessDeniedException', AccessDeniedException, 403],
    ['ServiceUnavailableException', ServiceUnavailableException, 503],
    ['ModelTimeoutException', ModelTimeoutException, 408],
  ])('%s surfaces as its typed class with status %i', async (name, errorClass, status) => {
    const other = await startEmulatorWithClient();
    try {
      withSimulatedError(other.client, name);
      await expectError(invokeJsonWith(other.client), errorClass, status);
    } finally {
      await other.stop();
    }
  });

  function invokeJsonWith(client: BedrockRuntimeClient) {
    return client.send(new InvokeModelCommand({ modelId: TITAN, body: JSON.stringify({ inputText: 'x' }) }));
  }
});

describe('robustness', () => {
  it('keeps serving after every malformed request', async () => {
    const body = await invoke(TITAN, { inputText: 'still here' });
    expect(body.embedding).toHaveLength(1024);
  });

  it('answers unknown routes and wrong methods with a Bedrock error body over plain HTTP/1.1', async () => {
    const notFound = await fetch(`${fixture.emulator.endpoint}/foundation-models`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await notFound.json()).toEqual({ message: expect.stringContaining('No route') });

    const wrongMethod = await fetch(`${fixture.emulator.endpoint}/model/${encodeURIComponent(TITAN)}/invoke`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });

  it('rejects a badly percent-encoded model id with a ValidationException body', async () => {
    const response = await fetch(`${fixture.emulator.endpoint}/model/%E0%A4%A/invoke`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });

  it('fails to start on a port in use, naming the service and the port', async () => {
    await expect(import('../../../src/local/services/bedrock').then((m) => m.startBedrockEmulator({ port: fixture.emulator.port }))).rejects.toThrow(
      new RegExp(`Bedrock emulator: port ${fixture.emulator.port}.*in use`),
    );
  });
});

describe('hostile connections', () => {
  async function rawSend(bytes: Buffer, opts: { half?: boolean } = {}): Promise<void> {
    const { connect } = await import('node:net');
    const url = new URL(fixture.emulator.endpoint);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(bytes);
        if (opts.half) socket.destroy();
        else socket.end();
      });
      socket.on('data', () => undefined);
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
  }

  it('survives garbage, a broken HTTP/2 preface and a body cut off mid-request, then still serves', async () => {
    await rawSend(Buffer.from('\x00\x01\x02 not http at all\r\n\r\n'));
    await rawSend(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\xff\xff\xff\xff garbage frames'));
    await rawSend(Buffer.from('PRI * HT'), { half: true });
    await rawSend(
      Buffer.from('POST /model/cohere.embed-v4%3A0/invoke HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"texts": ["a'),
      { half: true },
    );
    const body = await invoke(TITAN, { inputText: 'still serving' });
    expect(body.embedding).toHaveLength(1024);
  });

  it('survives an HTTP/2 stream reset mid-body and a session torn down mid-request', async () => {
    const { connect, constants } = await import('node:http2');
    const session = connect(fixture.emulator.endpoint);
    session.on('error', () => undefined);
    const path = `/model/${encodeURIComponent(TITAN)}/invoke`;
    const reset = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    reset.on('error', () => undefined);
    reset.write('{"inputText": "half');
    reset.close(constants.NGHTTP2_CANCEL);
    const dropped = session.request({ ':method': 'POST', ':path': path });
    dropped.on('error', () => undefined);
    dropped.write('{"inputText":');
    await new Promise((resolve) => setTimeout(resolve, 20));
    session.destroy();
    const body = await invoke(TITAN, { inputText: 'still serving' });
    expect(body.embedding).toHaveLength(1024);
  });
});
