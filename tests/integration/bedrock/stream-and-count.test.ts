/** ConverseStream and CountTokens through the real BedrockRuntimeClient. */
import { ConverseCommand, ConverseStreamCommand, CountTokensCommand, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorWithClient, type EmulatorFixture } from './helpers';

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startEmulatorWithClient();
});
afterAll(async () => {
  await fixture?.stop();
});

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const PROMPT =
  '[1] Walmart Inc. 10-K 2018, ITEM_7\nFor fiscal 2018, loss on extinguishment of debt was $3.1 billion. Net sales grew 3%.\n\n' +
  'Question: What was the loss on extinguishment of debt?';
const request = { modelId: HAIKU, system: [{ text: 'Answer from the context.' }], messages: [{ role: 'user' as const, content: [{ text: PROMPT }] }] };

describe('ConverseStream', () => {
  it('streams the same answer as Converse: messageStart, text deltas, stops, then usage metadata', async () => {
    const whole = await fixture.client.send(new ConverseCommand(request));
    const streamed = await fixture.client.send(new ConverseStreamCommand(request));
    const kinds: string[] = [];
    let text = '';
    let usage: unknown;
    let stopReason: string | undefined;
    for await (const event of streamed.stream!) {
      const kind = Object.keys(event).find((k) => (event as unknown as Record<string, unknown>)[k] !== undefined)!;
      if (kinds.at(-1) !== kind) kinds.push(kind);
      if (event.contentBlockDelta) text += event.contentBlockDelta.delta?.text ?? '';
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata) usage = event.metadata.usage;
    }
    expect(kinds).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    expect(text).toBe(whole.output?.message?.content?.[0]?.text);
    expect(stopReason).toBe(whole.stopReason);
    expect(usage).toEqual(whole.usage);
  });

  it('fails a bad request before streaming, as a typed ValidationException', async () => {
    await expect(fixture.client.send(new ConverseStreamCommand({ modelId: HAIKU, messages: [] }))).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('CountTokens', () => {
  it('counts a Converse input exactly as Converse reports inputTokens', async () => {
    const whole = await fixture.client.send(new ConverseCommand(request));
    const counted = await fixture.client.send(
      new CountTokensCommand({ modelId: HAIKU, input: { converse: { system: request.system, messages: request.messages } } }),
    );
    expect(counted.inputTokens).toBe(whole.usage?.inputTokens);
  });

  it('counts an InvokeModel body by its text', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: 'user', content: 'abcdefgh' }] }));
    const counted = await fixture.client.send(new CountTokensCommand({ modelId: HAIKU, input: { invokeModel: { body } } }));
    expect(counted.inputTokens).toBeGreaterThan(0);
  });
});
