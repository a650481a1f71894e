/**
 * Generation through Converse: one request shape for Claude, Nova and Llama (FinSights sent
 * Anthropic-only InvokeModel bodies, so its Nova and Llama entries could never work).
 *
 * inferenceConfig carries maxTokens and temperature but not topP: Claude 4.5 models reject a request
 * that sets both temperature and top_p, and one shape for every family matters more than top_p.
 */
import { ConverseCommand, type BedrockRuntimeClient, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import type { ServingModelConfig } from '../../config';
import { withThrottleRetry, type RetryOptions } from './bedrockErrors';

export interface Generation {
  text: string;
  model_id: string;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  stop_reason: string;
}

export function converseRequest(model: ServingModelConfig, system: string, userText: string): ConverseCommandInput {
  return {
    modelId: model.model_id,
    system: [{ text: system }],
    messages: [{ role: 'user', content: [{ text: userText }] }],
    inferenceConfig: { maxTokens: model.max_tokens, temperature: model.temperature },
  };
}

/** USD: input/1000 × price per 1k input + output/1000 × price per 1k output. */
export function generationCost(model: Pick<ServingModelConfig, 'cost_per_1k_input' | 'cost_per_1k_output'>, inputTokens: number, outputTokens: number): number {
  return (inputTokens / 1000) * model.cost_per_1k_input + (outputTokens / 1000) * model.cost_per_1k_output;
}

export async function generate(client: BedrockRuntimeClient, model: ServingModelConfig, system: string, userText: string, retry?: RetryOptions): Promise<Generation> {
  const response = await withThrottleRetry(`the answer (${model.model_id})`, () => client.send(new ConverseCommand(converseRequest(model, system, userText))), retry);
  const text = (response.output?.message?.content ?? [])
    .map((c) => ('text' in c && typeof c.text === 'string' ? c.text : ''))
    .join('')
    .trim();
  const input = response.usage?.inputTokens ?? 0;
  const output = response.usage?.outputTokens ?? 0;
  return {
    text,
    model_id: model.model_id,
    input_tokens: input,
    output_tokens: output,
    cost: generationCost(model, input, output),
    stop_reason: response.stopReason ?? 'unknown',
  };
}
