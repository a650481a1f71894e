/**
 * Converse through the real BedrockRuntimeClient: extractive answers quoting the matching context
 * sentence for each serving-model family, usage counts, and the max_tokens / stop_sequence stops.
 */
import { ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { estimateTokens } from '../../../src/local/services/bedrock';
import { loadFixtureSentences, startEmulatorWithClient, type EmulatorFixture } from './helpers';

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startEmulatorWithClient();
});
afterAll(async () => {
  await fixture?.stop();
});

const sentences = loadFixtureSentences();
const walmartDebt = sentences.find((s) => s.sentenceID === '0000104169_10-K_2018_section_7_142')!;
const others = sentences.filter((s) => s.company !== walmartDebt.company).slice(0, 8);

/** A RAG-style prompt: numbered context blocks with headers, then the question. */
function ragPrompt(question: string): string {
  const blocks = [...others.slice(0, 4), walmartDebt, ...others.slice(4)].map(
    (s, i) => `[${i + 1}] ${s.company} 10-K ${s.report_year}, ${s.section}\n${s.sentence_text}`,
  );
  return `Context:\n${blocks.join('\n\n')}\n\nQuestion: ${question}`;
}

const QUESTION = 'How large was the loss on extinguishment of debt in fiscal 2018?';
const config = loadConfig(undefined, {});
const servingModelIds = Object.values(config.serving_models.models).map((m) => m.model_id);

describe('Converse', () => {
  it('serves every model id in ml_config.yaml', () => {
    expect(servingModelIds).toEqual(
      expect.arrayContaining([
        'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        'amazon.nova-micro-v1:0',
        'meta.llama3-1-70b-instruct-v1:0',
      ]),
    );
  });

  it.each([
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'amazon.nova-micro-v1:0',
    'us.amazon.nova-pro-v1:0',
    'global.amazon.nova-2-lite-v1:0',
    'meta.llama3-1-70b-instruct-v1:0',
    'mistral.mistral-large-2402-v1:0',
  ])('%s quotes the context sentence that answers the question, with its block header', async (modelId) => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId,
        system: [{ text: 'You are a financial analyst. Answer only from the context.' }],
        messages: [{ role: 'user', content: [{ text: ragPrompt(QUESTION) }] }],
        inferenceConfig: { maxTokens: 512, temperature: 0.1, topP: 0.9 },
      }),
    );
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(out.output?.message?.role).toBe('assistant');
    expect(out.stopReason).toBe('end_turn');
    expect(text).toContain(`"${walmartDebt.sentence_text}"`);
    expect(text).toContain(`"${walmartDebt.sentence_text}" [5]`);
    expect(text).not.toMatch(/financial analyst|Answer only/);
  });

  it('never quotes the system prompt: text there is instructions, not evidence', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        system: [{ text: `Use these filings:\n${[walmartDebt, ...others].map((s) => s.sentence_text).join('\n')}` }],
        messages: [{ role: 'user', content: [{ text: QUESTION }] }],
      }),
    );
    expect(out.output?.message?.content?.[0]?.text).toBe('I could not find any context in the request to answer from.');
  });

  it('reads an inline "Context: … Question: …" plain prompt', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'amazon.nova-micro-v1:0',
        messages: [{ role: 'user', content: [{ text: `Context: ${walmartDebt.sentence_text} Our stores sell groceries. Question: ${QUESTION}` }] }],
      }),
    );
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(text).toContain(walmartDebt.sentence_text);
    expect(text).not.toContain(QUESTION);
  });

  it.each([
    ['anthropic.claude-nonexistent', 'ValidationException', 400],
    ['us.amazon.nova-mega-v9:0', 'ValidationException', 400],
    ['openai.gpt-4', 'ResourceNotFoundException', 404],
  ])('answers a made-up model id %s with %s (%i), as Bedrock does', async (modelId, name, status) => {
    const err = await fixture.client
      .send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: ragPrompt(QUESTION) }] }] }))
      .then(() => undefined, (e: unknown) => e as { name: string; $metadata: { httpStatusCode?: number } });
    expect(err?.name).toBe(name);
    expect(err?.$metadata.httpStatusCode).toBe(status);
  });

  it('reads text document blocks as context and cites the document name', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        messages: [
          {
            role: 'user',
            content: [
              { document: { format: 'txt', name: 'walmart-10k-2018', source: { bytes: new TextEncoder().encode(`${walmartDebt.sentence_text}\nOur stores sell groceries.`) } } },
              { text: QUESTION },
            ],
          },
        ],
      }),
    );
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(text).toContain(`"${walmartDebt.sentence_text}" (source: walmart-10k-2018)`);
    expect(out.usage?.inputTokens).toBeGreaterThan(Math.ceil(walmartDebt.sentence_text.length / 4));
  });

  it('says so plainly when no context sentence matches the question', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'amazon.nova-micro-v1:0',
        messages: [{ role: 'user', content: [{ text: `${ragPrompt('zebra migration patterns')}` }] }],
      }),
    );
    expect(out.output?.message?.content?.[0]?.text).toMatch(/does not contain information/);
  });

  it('reports usage: input counts system + every message, total = input + output', async () => {
    const system = 'Answer from the context.';
    const first = ragPrompt('What was revenue?');
    const input: ConverseCommandInput = {
      modelId: 'meta.llama3-1-70b-instruct-v1:0',
      system: [{ text: system }],
      messages: [
        { role: 'user', content: [{ text: first }] },
        { role: 'assistant', content: [{ text: 'Which year?' }] },
        { role: 'user', content: [{ text: ragPrompt(QUESTION) }] },
      ],
    };
    const out = await fixture.client.send(new ConverseCommand(input));
    const usage = out.usage!;
    expect(usage.inputTokens).toBe(
      estimateTokens(system) + estimateTokens(first) + estimateTokens('Which year?') + estimateTokens(ragPrompt(QUESTION)),
    );
    expect(usage.outputTokens).toBe(estimateTokens(out.output?.message?.content?.[0]?.text ?? ''));
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
    expect(out.metrics?.latencyMs).toBeGreaterThanOrEqual(1);
  });

  it('stops at maxTokens with stopReason max_tokens and outputTokens = maxTokens', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        messages: [{ role: 'user', content: [{ text: ragPrompt(QUESTION) }] }],
        inferenceConfig: { maxTokens: 5 },
      }),
    );
    expect(out.stopReason).toBe('max_tokens');
    expect(out.usage?.outputTokens).toBe(5);
    expect(out.output?.message?.content?.[0]?.text).toHaveLength(20);
  });

  it('stops at a stop sequence with stopReason stop_sequence', async () => {
    const out = await fixture.client.send(
      new ConverseCommand({
        modelId: 'amazon.nova-micro-v1:0',
        messages: [{ role: 'user', content: [{ text: ragPrompt(QUESTION) }] }],
        inferenceConfig: { stopSequences: ['extinguishment'] },
      }),
    );
    expect(out.stopReason).toBe('stop_sequence');
    expect(out.output?.message?.content?.[0]?.text).not.toContain('extinguishment');
  });

  it('answers the same prompt the same way every time', async () => {
    const send = () =>
      fixture.client.send(
        new ConverseCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [{ role: 'user', content: [{ text: ragPrompt(QUESTION) }] }] }),
      );
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.output).toEqual(b.output);
    expect(a.usage).toEqual(b.usage);
  });
});
