/**
 * The Converse operation: validate the request as Bedrock does, answer extractively (answer.ts),
 * apply maxTokens / stopSequences, and report usage as a deterministic token estimate.
 * Source: Bedrock API reference, "Converse" (API_runtime_Converse):
 *   request  {messages: [{role: user|assistant, content: [{text} | …]}], system?: [{text} | …],
 *             inferenceConfig?: {maxTokens ≥ 1, temperature 0–1, topP 0–1, stopSequences ≤ 2500 strings}}
 *   response {output: {message: {role: "assistant", content: [{text}]}}, stopReason,
 *             usage: {inputTokens, outputTokens, totalTokens}, metrics: {latencyMs}}
 * Document blocks of text formats (txt, md, csv, html) are read as context; other blocks (images,
 * PDFs, tool use) are accepted and ignored.
 */
import { answerFromContext } from './answer';
import { BedrockServiceError, validationError } from './errors';
import type { ChatModelSpec } from './models';
import { estimateTokens } from './tokens';
import type { JsonObject } from './validate';

export interface ConverseResult {
  body: {
    output: { message: { role: 'assistant'; content: Array<{ text: string }> } };
    stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence';
    usage: { inputTokens: number; outputTokens: number; totalTokens: number };
    metrics: { latencyMs: number };
  };
  inputTokens: number;
  outputTokens: number;
}

interface Message {
  role: 'user' | 'assistant';
  texts: string[];
  /** Text of document blocks (txt, md, csv, html…), as "Document: <name>" + its text. */
  documents: string[];
}

export function converse(body: JsonObject, model: ChatModelSpec, startedAtMs: number): ConverseResult {
  const messages = parseMessages(body.messages);
  const system = parseSystem(body.system);
  const { maxTokens, stopSequences } = parseInferenceConfig(body.inferenceConfig, model);

  const answer = answerFromContext({
    system: system.join('\n\n'),
    userTexts: messages.filter((m) => m.role === 'user').map((m) => m.texts.join('\n\n')),
    documents: messages.filter((m) => m.role === 'user').flatMap((m) => m.documents),
  });

  let text = answer.text;
  let stopReason: ConverseResult['body']['stopReason'] = 'end_turn';
  const stopAt = firstStopSequence(text, stopSequences);
  if (stopAt !== undefined) {
    text = text.slice(0, stopAt);
    stopReason = 'stop_sequence';
  }
  if (maxTokens !== undefined && estimateTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4); // estimateTokens is ⌈chars / 4⌉, so this is exactly maxTokens
    stopReason = 'max_tokens';
  }

  const inputTokens = countInputTokens(system, messages);
  const outputTokens = estimateTokens(text);
  return {
    body: {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: Math.max(1, Math.round(performance.now() - startedAtMs)) },
    },
    inputTokens,
    outputTokens,
  };
}

/**
 * CountTokens with a Converse-shaped input: the same estimate Converse reports as usage.inputTokens.
 * Source: Bedrock API reference, "CountTokens": {input: {converse: {messages, system}} | {invokeModel: {body}}} → {inputTokens}.
 */
export function countConverseTokens(input: JsonObject): number {
  return countInputTokens(parseSystem(input.system), parseMessages(input.messages));
}

/** The ConverseStream events for a Converse result: the same answer, cut into text deltas. */
export function converseStreamEvents(result: ConverseResult): Array<[eventType: string, payload: unknown]> {
  const text = result.body.output.message.content[0]?.text ?? '';
  const events: Array<[string, unknown]> = [['messageStart', { role: 'assistant' }]];
  for (const chunk of text.match(/[\s\S]{1,48}(?:\s|$)|[\s\S]{1,48}/g) ?? []) {
    events.push(['contentBlockDelta', { contentBlockIndex: 0, delta: { text: chunk } }]);
  }
  events.push(['contentBlockStop', { contentBlockIndex: 0 }]);
  events.push(['messageStop', { stopReason: result.body.stopReason }]);
  events.push(['metadata', { usage: result.body.usage, metrics: result.body.metrics }]);
  return events;
}

function countInputTokens(system: string[], messages: Message[]): number {
  return (
    system.reduce((sum, t) => sum + estimateTokens(t), 0) +
    messages.reduce((sum, m) => sum + [...m.texts, ...m.documents].reduce((s, t) => s + estimateTokens(t), 0), 0)
  );
}

function parseMessages(value: unknown): Message[] {
  if (value === undefined || value === null) {
    throw validationError("1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(value)) throw validationError("Value at 'messages' failed to satisfy constraint: Member must be a list");
  if (value.length === 0) {
    throw validationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  const messages: Message[] = value.map((raw, i) => {
    const member = `messages.${i + 1}.member`;
    if (raw === null || typeof raw !== 'object') throw validationError(`Value at '${member}' failed to satisfy constraint: Member must be a structure`);
    const { role, content } = raw as { role?: unknown; content?: unknown };
    if (role !== 'user' && role !== 'assistant') {
      throw validationError(
        `1 validation error detected: Value '${String(role)}' at '${member}.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    }
    if (!Array.isArray(content) || content.length === 0) {
      throw validationError(`The content field in the Message object at ${member.replace('.member', '')} is empty. Add a ContentBlock object to the content field and try again.`);
    }
    const texts: string[] = [];
    const documents: string[] = [];
    for (const block of content) {
      if (!block || typeof block !== 'object') continue;
      if (typeof (block as { text?: unknown }).text === 'string') texts.push((block as { text: string }).text);
      const document = documentText((block as { document?: unknown }).document);
      if (document !== undefined) documents.push(document);
    }
    return { role, texts, documents };
  });
  if (messages[0]!.role !== 'user') {
    throw validationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  for (let i = 1; i < messages.length; i++) {
    if (messages[i]!.role === messages[i - 1]!.role) {
      throw validationError(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
  }
  if (messages.every((m) => m.role !== 'user' || m.texts.every((t) => !t.trim()))) {
    throw validationError('The user messages contain no text. Add a text ContentBlock and try again.');
  }
  return messages;
}

const TEXT_DOCUMENT_FORMATS = new Set(['txt', 'md', 'csv', 'html']);

/**
 * A document block's text, for the formats that are text: `{document: {format, name, source: {bytes |
 * text}}}` (bytes arrive base64-encoded in the JSON body). PDF and Office formats are not read.
 */
function documentText(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { format, name, source } = value as { format?: unknown; name?: unknown; source?: { bytes?: unknown; text?: unknown } };
  if (typeof format !== 'string' || !TEXT_DOCUMENT_FORMATS.has(format) || !source || typeof source !== 'object') return undefined;
  const text =
    typeof source.text === 'string' ? source.text : typeof source.bytes === 'string' ? Buffer.from(source.bytes, 'base64').toString('utf8') : undefined;
  if (text === undefined) return undefined;
  return `Document: ${typeof name === 'string' && name ? name : 'document'}\n${text}`;
}

function parseSystem(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw validationError("Value at 'system' failed to satisfy constraint: Member must be a list");
  const texts: string[] = [];
  for (const block of value) {
    if (block && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string') texts.push((block as { text: string }).text);
  }
  return texts;
}

function parseInferenceConfig(value: unknown, model: ChatModelSpec): { maxTokens?: number; stopSequences: string[] } {
  if (value === undefined || value === null) return { stopSequences: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationError("Value at 'inferenceConfig' failed to satisfy constraint: Member must be a structure");
  }
  const { maxTokens, temperature, topP, stopSequences } = value as Record<string, unknown>;
  if (maxTokens !== undefined) {
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      throw validationError(
        `1 validation error detected: Value '${String(maxTokens)}' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    if (maxTokens > model.maxOutputTokens) {
      throw validationError(`The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`);
    }
  }
  for (const [name, v] of [['temperature', temperature], ['topP', topP]] as const) {
    if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) {
      throw validationError(
        `1 validation error detected: Value '${String(v)}' at 'inferenceConfig.${name}' failed to satisfy constraint: Member must have value between 0 and 1`,
      );
    }
  }
  let stops: string[] = [];
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || stopSequences.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw validationError("Value at 'inferenceConfig.stopSequences' failed to satisfy constraint: Member must be a list of non-empty strings");
    }
    stops = stopSequences as string[];
  }
  return { maxTokens: maxTokens as number | undefined, stopSequences: stops };
}

function firstStopSequence(text: string, stopSequences: string[]): number | undefined {
  let first: number | undefined;
  for (const stop of stopSequences) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}

/** Converse on an embedding model: Bedrock's wording. */
export function unsupportedModelForConverse(): BedrockServiceError {
  return validationError("This action doesn't support the model that you provided. Try again with a supported text or chat model.");
}
