/** InvokeModel with chat models' native bodies: the same extractive answer as Converse, in each family's shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrompt } from '../../../src/local/services/bedrock/chatInvoke';
import { invokeJson, startEmulatorWithClient, type EmulatorFixture } from './helpers';

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startEmulatorWithClient();
});
afterAll(async () => {
  await fixture?.stop();
});

const DEBT = 'For fiscal 2018, loss on extinguishment of debt was $3.1 billion.';
const CONTEXT = `[1] Walmart Inc. 10-K 2018, ITEM_7\n${DEBT}\nWe operate 5,000 stores in the United States.`;
const QUESTION = 'What was the loss on extinguishment of debt?';

describe('InvokeModel with native chat bodies', () => {
  it('Anthropic Messages body → {id, type: message, content: [{type: text}], stop_reason, usage}', async () => {
    const body = await invokeJson(fixture.client, 'us.anthropic.claude-haiku-4-5-20251001-v1:0', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 512,
      system: 'Answer from the context.',
      messages: [{ role: 'user', content: [{ type: 'text', text: `${CONTEXT}\n\nQuestion: ${QUESTION}` }] }],
    });
    expect(body).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', stop_sequence: null });
    expect(body.id).toMatch(/^msg_bdrk_/);
    expect(body.content[0].type).toBe('text');
    expect(body.content[0].text).toContain(`"${DEBT}"`);
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThan(0);
  });

  it('Anthropic body honours max_tokens with stop_reason max_tokens', async () => {
    const body = await invokeJson(fixture.client, 'anthropic.claude-3-haiku-20240307-v1:0', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 3,
      messages: [{ role: 'user', content: `${CONTEXT}\n\nQuestion: ${QUESTION}` }],
    });
    expect(body.stop_reason).toBe('max_tokens');
    expect(body.usage.output_tokens).toBe(3);
  });

  it('Nova body → {output.message, stopReason, usage}', async () => {
    const body = await invokeJson(fixture.client, 'amazon.nova-micro-v1:0', {
      schemaVersion: 'messages-v1',
      system: [{ text: 'Answer from the context.' }],
      messages: [{ role: 'user', content: [{ text: `${CONTEXT}\n\nQuestion: ${QUESTION}` }] }],
      inferenceConfig: { max_new_tokens: 300, temperature: 0.1 },
    });
    expect(body.output.message.content[0].text).toContain(DEBT);
    expect(body.stopReason).toBe('end_turn');
    expect(body.usage.totalTokens).toBe(body.usage.inputTokens + body.usage.outputTokens);
  });

  it('Llama 3 prompt → {generation, prompt_token_count, generation_token_count, stop_reason}', async () => {
    const prompt =
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nAnswer from the context.<|eot_id|>' +
      `<|start_header_id|>user<|end_header_id|>\n\n${CONTEXT}\n\nQuestion: ${QUESTION}<|eot_id|>` +
      '<|start_header_id|>assistant<|end_header_id|>\n\n';
    const body = await invokeJson(fixture.client, 'meta.llama3-1-70b-instruct-v1:0', { prompt, max_gen_len: 512, temperature: 0.1 });
    expect(body.generation).toContain(DEBT);
    expect(body.stop_reason).toBe('stop');
    expect(body.prompt_token_count).toBeGreaterThan(0);
    expect(body.generation_token_count).toBeGreaterThan(0);
  });

  it('Mistral [INST] prompt → {outputs: [{text, stop_reason}]}', async () => {
    const body = await invokeJson(fixture.client, 'mistral.mistral-large-2402-v1:0', {
      prompt: `<s>[INST] ${CONTEXT}\n\nQuestion: ${QUESTION} [/INST]`,
      max_tokens: 2,
    });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0].stop_reason).toBe('length');
  });
});

describe('parsePrompt', () => {
  it('reads Llama 3 turns and drops the empty assistant header', () => {
    expect(
      parsePrompt('<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n'),
    ).toEqual({ system: 'S', messages: [{ role: 'user', content: [{ text: 'U' }] }] });
  });

  it('treats a plain prompt as one user message', () => {
    expect(parsePrompt('What was revenue?')).toEqual({ system: '', messages: [{ role: 'user', content: [{ text: 'What was revenue?' }] }] });
  });
});
