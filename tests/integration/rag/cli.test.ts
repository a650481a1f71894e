/**
 * `larder ask` and `larder eval` in-process (runCommand), against the shared local Bedrock emulator
 * (through AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and the real data cache.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../../src/cli';
import { defaultSourceDir } from '../../../src/cli/localDataset';
import { localEnv, testConfig } from '../../setup/services';

const haveData = existsSync(defaultSourceDir(testConfig()));
const dir = mkdtempSync(join(tmpdir(), 'larder-rag-cli-'));

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await runCommand(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe.skipIf(!haveData)('larder ask / eval', () => {
  beforeAll(() => {
    Object.assign(process.env, localEnv(), { DATA_LOADING_MODE: 'LOCAL_CACHE' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ask --json prints the response with sources from the named company and year', async () => {
    const { code, out } = await capture(['ask', 'What was Walmart net income in 2019?', '--json', '--top-k', '3']);
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.sources).toHaveLength(3);
    for (const s of r.sources) expect([s.company, s.year]).toEqual(['Walmart Inc.', 2019]);
  }, 120_000);

  it('ask prints the answer, sources and a timings/cost table', async () => {
    const { code, out } = await capture(['ask', 'What risks does Apple highlight in Item 1A?', '--model', 'nova_micro']);
    expect(code).toBe(0);
    expect(out).toMatch(/Sources \(cited as \[n\]\):\n\s+\[1\] Apple Inc\./);
    expect(out).toMatch(/generate\s+[\d.]+ ms/);
    expect(out).toMatch(/model\s+amazon\.nova-micro-v1:0/);
    expect(out).toMatch(/cost\s+\$0\.\d+/);
  });

  it('ask reports a bad model key with the stage and a non-zero exit', async () => {
    const { code, err } = await capture(['ask', 'q?', '--model', 'gpt_5']);
    expect(code).toBe(1);
    expect(err).toMatch(/\[VALIDATION\] at stage "validate": model_key "gpt_5" is not a serving model/);
  });

  it('eval scores a gold file, lists items whose evidence is absent, and writes JSON', async () => {
    const gold = join(dir, 'gold.json');
    writeFileSync(gold, JSON.stringify([
      { question_id: 'a', question_text: "What was ELI LILLY & Co's net income in 2011?", evidence_sentence_ids: ['0000059478_10-K_2011_section_7_4'], difficulty: 'easy', retrieval_scope: 'local' },
      { question_id: 'b', question_text: 'What is missing?', evidence_sentence_ids: ['0000000001_10-K_1999_section_7_1'], difficulty: 'hard', retrieval_scope: 'global' },
    ]));
    const { code, out } = await capture(['eval', '--gold', gold, '--out', dir]);
    expect(code).toBe(0);
    expect(out).toMatch(/items: 2, scored: 1, evidence absent from the corpus: 1/);
    const report = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(report.absent.items.map((i: { question_id: string }) => i.question_id)).toEqual(['b']);
    expect(report.overall.fused.items).toBe(1);
    expect(Object.keys(report.overall)).toEqual(['vector', 'lexical', 'fused']);
    expect(report.overall.fused.recall['@30']).toBe(1);
  });

  it('eval --bundles scores generated questions of one split and groups them by split', async () => {
    const { code, out } = await capture(['eval', '--bundles', '--split', 'dev', '--limit', '12', '--out', dir]);
    expect(code).toBe(0);
    expect(out).toMatch(/generated questions, split dev/);
    const report = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(report.gold_items).toBe(12);
    expect(Object.keys(report.by_split)).toEqual(['dev']);
    expect(report.items[0].question).toMatch(/^What (did .+ report about .+|.+ did .+ describe) in \d{4}\?$/);
    expect(Object.values(report.relaxations as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(report.scored);
  });

  it('eval rejects --split without --bundles and a bad --limit', async () => {
    expect((await capture(['eval', '--split', 'dev'])).err).toMatch(/--split: only with --bundles/);
    expect((await capture(['eval', '--bundles', '--limit', '0'])).err).toMatch(/--limit: expected a positive whole number/);
  });
});
