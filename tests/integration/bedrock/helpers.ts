/**
 * Shared helpers for the Bedrock emulator's integration tests: each test file starts its own emulator
 * on a free loopback port and talks to it with the real BedrockRuntimeClient (built by src/aws).
 */
import { readFileSync } from 'node:fs';
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockRuntimeClient } from '../../../src/aws';
import { loadConfig } from '../../../src/config';
import { startBedrockEmulator, type BedrockEmulator } from '../../../src/local/services/bedrock';

export interface EmulatorFixture {
  emulator: BedrockEmulator;
  client: BedrockRuntimeClient;
  stop(): Promise<void>;
}

/** Starts an emulator and a client pointed at it. maxAttempts 1: error tests must not retry. */
export async function startEmulatorWithClient(): Promise<EmulatorFixture> {
  const emulator = await startBedrockEmulator({ host: '127.0.0.1', port: 0 });
  const config = loadConfig(undefined, {});
  const client = createBedrockRuntimeClient(config, { endpoint: emulator.endpoint, maxAttempts: 1 });
  return {
    emulator,
    client,
    async stop() {
      client.destroy();
      await emulator.close();
    },
  };
}

/** InvokeModel with a JSON body; returns the parsed JSON response body. */
export async function invokeJson<T = any>(client: BedrockRuntimeClient, modelId: string, body: unknown): Promise<T> {
  const response = await client.send(
    new InvokeModelCommand({
      modelId,
      contentType: 'application/json',
      accept: 'application/json',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return JSON.parse(new TextDecoder().decode(response.body)) as T;
}

export interface FixtureSentence {
  sentenceID: string;
  company: string;
  topic: string;
  report_year: number;
  section: string;
  sentence_text: string;
}

/**
 * 448 real 10-K sentences from the FinSights trend bundles, copied into fixtures/ with their MIT
 * notice (fixtures/SOURCE.md), so the tests run on a fresh clone.
 */
export function loadFixtureSentences(): FixtureSentence[] {
  return JSON.parse(readFileSync(new URL('./fixtures/finsights_sentences.json', import.meta.url), 'utf8')) as FixtureSentence[];
}

export function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function norm(a: number[]): number {
  return Math.sqrt(dot(a, a));
}
