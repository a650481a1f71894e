/**
 * InvokeModel with a chat model's native body, for callers that do not use Converse (FinSights sent
 * Anthropic bodies). Each body is mapped onto a Converse request, answered by converse.ts, and the
 * answer shaped back into the family's native response.
 * Sources: AWS Bedrock user guide, "Anthropic Claude Messages API", "Amazon Nova: complete request
 * schema", "Meta Llama models", "Mistral AI models".
 *
 *   anthropic  {anthropic_version, max_tokens, messages: [{role, content: string | [{type: "text", text}]}],
 *              system?: string | [{type: "text", text}], temperature?, top_p?, top_k?, stop_sequences?}
 *              → {id, type: "message", role, model, content: [{type: "text", text}], stop_reason,
 *                 stop_sequence, usage: {input_tokens, output_tokens}}
 *   nova       {messages, system?, inferenceConfig?: {maxTokens | max_new_tokens, temperature, topP,
 *              topK, stopSequences}} → {output: {message}, stopReason, usage: {inputTokens, outputTokens, totalTokens}}
 *   llama      {prompt, max_gen_len?, temperature?, top_p?} → {generation, prompt_token_count,
 *              generation_token_count, stop_reason: "stop" | "length"}
 *   mistral    {prompt, max_tokens?, temperature?, top_p?, top_k?, stop?} → {outputs: [{text, stop_reason}]}
 */
import { randomUUID } from 'node:crypto';
import { converse, type ConverseResult } from './converse';
import type { ChatModelSpec } from './models';
import type { InvokeResult } from './invokeTypes';
import { expectString, malformed, requireKey, type JsonObject } from './validate';

export function invokeChatModel(body: JsonObject, model: ChatModelSpec, startedAtMs: number): InvokeResult {
  switch (model.family) {
    case 'anthropic':
      return anthropic(body, model, startedAtMs);
    case 'amazon-nova':
      return nova(body, model, startedAtMs);
    case 'meta-llama':
      return promptModel(body, model, startedAtMs, 'max_gen_len', (r, text) => ({
        generation: text,
        prompt_token_count: r.inputTokens,
        generation_token_count: r.outputTokens,
        stop_reason: r.body.stopReason === 'max_tokens' ? 'length' : 'stop',
      }));
    case 'mistral':
      return promptModel(body, model, startedAtMs, 'max_tokens', (r, text) => ({
        outputs: [{ text, stop_reason: r.body.stopReason === 'max_tokens' ? 'length' : 'stop' }],
      }));
  }
}

function anthropic(body: JsonObject, model: ChatModelSpec, startedAtMs: number): InvokeResult {
  expectString(requireKey(body, 'anthropic_version'), '#/anthropic_version');
  const maxTokens = requireKey(body, 'max_tokens');
  if (!Array.isArray(body.messages)) throw malformed('#: required key [messages] not found');
  const messages = body.messages.map((m: unknown) => {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    return { role, content: anthropicBlocks(content) };
  });
  const result = converse(
    {
      messages,
      system: body.system === undefined ? undefined : anthropicBlocks(body.system),
      inferenceConfig: { maxTokens, temperature: body.temperature, topP: body.top_p, stopSequences: body.stop_sequences },
    },
    model,
    startedAtMs,
  );
  const text = textOf(result);
  return {
    body: {
      id: `msg_bdrk_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      type: 'message',
      role: 'assistant',
      model: model.modelId,
      content: [{ type: 'text', text }],
      stop_reason: result.body.stopReason,
      stop_sequence: null,
      usage: { input_tokens: result.inputTokens, output_tokens: result.outputTokens },
    },
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
  };
}

/** Anthropic content: a string, or blocks of which text blocks are read. */
function anthropicBlocks(content: unknown): Array<{ text: string }> {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((b: unknown) => {
    const block = (b ?? {}) as { type?: unknown; text?: unknown; source?: { type?: unknown; data?: unknown } };
    if (block.type === 'text' && typeof block.text === 'string') return [{ text: block.text }];
    if (block.type === 'document' && block.source?.type === 'text' && typeof block.source.data === 'string') return [{ text: block.source.data }];
    return [];
  });
}

function nova(body: JsonObject, model: ChatModelSpec, startedAtMs: number): InvokeResult {
  const config = (body.inferenceConfig ?? {}) as JsonObject;
  const result = converse(
    {
      messages: body.messages,
      system: body.system,
      inferenceConfig: {
        maxTokens: config.maxTokens ?? config.max_new_tokens,
        temperature: config.temperature,
        topP: config.topP ?? config.top_p,
        stopSequences: config.stopSequences ?? config.stop_sequences,
      },
    },
    model,
    startedAtMs,
  );
  const { output, stopReason, usage } = result.body;
  return { body: { output, stopReason, usage }, inputTokens: result.inputTokens, outputTokens: result.outputTokens };
}

/** Llama and Mistral take one prompt string with the chat template's markers; we read roles from them. */
function promptModel(
  body: JsonObject,
  model: ChatModelSpec,
  startedAtMs: number,
  maxTokensKey: string,
  shape: (result: ConverseResult, text: string) => unknown,
): InvokeResult {
  const prompt = expectString(requireKey(body, 'prompt'), '#/prompt');
  if (!prompt.trim()) throw malformed('#/prompt: expected minLength: 1, actual: 0');
  const { system, messages } = parsePrompt(prompt);
  const result = converse(
    {
      messages,
      system: system ? [{ text: system }] : undefined,
      inferenceConfig: { maxTokens: body[maxTokensKey], temperature: body.temperature, topP: body.top_p, stopSequences: body.stop },
    },
    model,
    startedAtMs,
  );
  return { body: shape(result, textOf(result)), inputTokens: result.inputTokens, outputTokens: result.outputTokens };
}

const LLAMA_TURN = /<\|start_header_id\|>(system|user|assistant)<\|end_header_id\|>([\s\S]*?)(?:<\|eot_id\|>|$)/g;

/** Llama 3 headers, or Mistral/Llama 2 [INST] … [/INST]; anything else is one user message. */
export function parsePrompt(prompt: string): { system: string; messages: Array<{ role: string; content: Array<{ text: string }> }> } {
  let system = '';
  const turns: Array<{ role: string; text: string }> = [];
  for (const match of prompt.matchAll(LLAMA_TURN)) {
    const text = match[2]!.trim();
    if (match[1] === 'system') system = text;
    else if (text) turns.push({ role: match[1]!, text });
  }
  if (turns.length === 0) {
    const inst = [...prompt.matchAll(/\[INST\]([\s\S]*?)\[\/INST\]/g)].map((m) => m[1]!.trim()).filter(Boolean);
    const text = inst.length ? inst.join('\n\n') : prompt.replace(/<\/?s>|<\|[a-z_]+\|>/g, '').trim();
    turns.push({ role: 'user', text });
  }
  // Merge same-role neighbours: a prompt string has no alternation rule to break.
  const merged: typeof turns = [];
  for (const t of turns) {
    const last = merged.at(-1);
    if (last && last.role === t.role) last.text += `\n\n${t.text}`;
    else merged.push({ ...t });
  }
  while (merged[0]?.role === 'assistant') merged.shift();
  return { system, messages: merged.map((t) => ({ role: t.role, content: [{ text: t.text }] })) };
}

function textOf(result: ConverseResult): string {
  return result.body.output.message.content[0]?.text ?? '';
}
