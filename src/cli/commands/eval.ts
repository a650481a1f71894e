/**
 * `larder eval [--gold FILE]` (`npm run eval`): retrieval recall@5/10/30 and MRR on a gold QA file
 * in the FinSights P3 schema, for vector-only, lexical-only and fused retrieval — overall, by
 * difficulty and by retrieval scope. Items whose evidence is not in the corpus are listed, not scored.
 * `larder eval --bundles [--split dev|heldout|all]`: the same on questions generated from the
 * FinSights evidence bundles (src/rag/eval/bundles.ts). `--answers` (what `npm run eval` runs) adds
 * the answer-level eval beside it (src/rag/eval/answerEval.ts): citation integrity, prompt leakage,
 * suspect KPI values, numeric accuracy on the gold file, multi-company coverage, out-of-scope "not
 * found". Writes the full report to eval-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliUsageError, defineCommand } from '../command';
import { loadConfig } from '../../config';
import { openLocalQueryEngine } from '../localQueryEngine';
import { readGoldFile, type GoldItem } from '../../rag/eval/gold';
import { BUNDLE_SPLITS, readBundleGold } from '../../rag/eval/bundles';
import { EVAL_MODES, runEval, type EvalReport } from '../../rag/eval/runEval';
import type { Aggregate } from '../../rag/eval/metrics';
import { renderAnswerReport, runAnswerEval, type AnswerEvalReport } from '../../rag/eval/answerEval';
import { OUT_OF_SCOPE_QUESTIONS, multiCompanyQuestions } from '../../rag/eval/answerSets';
import { readFileSync } from 'node:fs';

const DEFAULT_GOLD = '../shared/data/finsights/p3_gold_P3_v1_auto.json';
const DEFAULT_TREND_BUNDLES = '../shared/data/finsights/goldp3_v3_trend_bundles.json';
const DEFAULT_CROSS_COMPANY_BUNDLES = '../shared/data/finsights/goldp3_v4_cross_company_bundles.json';

export default defineCommand({
  meta: { name: 'eval', description: 'Retrieval recall and MRR on a gold QA file, and with --answers the answers\' checks', usage: 'eval [--gold FILE | --bundles [--split dev|heldout|all]] [--answers] [--limit N] [--out DIR] [--json]' },
  args: {
    gold: { type: 'string', description: 'gold QA JSON (FinSights P3 schema); default ../shared/data/finsights/p3_gold_P3_v1_auto.json next to the project' },
    answers: { type: 'boolean', description: 'also answer the gold questions, multi-company questions from the cross-company bundles and out-of-scope questions end to end, and check citations, prompt leakage, suspect KPI values, numbers, coverage and "not found"', default: false },
    bundles: { type: 'boolean', description: 'questions generated from the FinSights trend and cross-company evidence bundles instead of a gold file', default: false },
    split: { type: 'string', description: 'with --bundles: dev (tune on it), heldout (report it; the default) or all' },
    limit: { type: 'string', description: 'score only the first N items (a quick look; report full runs)' },
    out: { type: 'string', description: 'directory for the JSON report; default eval-results/ in the project' },
    'min-similarity': { type: 'string', description: 'override retrieval.min_similarity for this run (e.g. --min-similarity=-1: no cut)' },
    json: { type: 'boolean', description: 'print the report JSON instead of tables', default: false },
    config: { type: 'string', description: 'path of ml_config.yaml' },
  },
  async run({ args }) {
    // Paths given on the command line are relative to the working directory; defaults to the project.
    // The gold file is read first: a typo fails before any data or service is touched.
    const rootDir = loadConfig(args.config).rootDir;
    if (args.bundles && args.gold) throw new CliUsageError('--bundles and --gold: give one or the other');
    if (args.split !== undefined && !args.bundles) throw new CliUsageError('--split: only with --bundles');
    const split = args.split ?? 'heldout';
    if (![...BUNDLE_SPLITS, 'all'].includes(split)) throw new CliUsageError(`--split: expected dev, heldout or all, found "${split}"`);
    let goldPath: string;
    let gold: GoldItem[];
    if (args.bundles) {
      const trend = resolve(rootDir, DEFAULT_TREND_BUNDLES);
      const cross = resolve(rootDir, DEFAULT_CROSS_COMPANY_BUNDLES);
      goldPath = `${trend} + ${cross} (generated questions, split ${split})`;
      gold = readBundleGold(trend, cross).filter((g) => split === 'all' || g.split === split);
    } else {
      goldPath = args.gold ? resolve(args.gold) : resolve(rootDir, DEFAULT_GOLD);
      gold = readGoldFile(goldPath);
    }
    if (args.limit !== undefined) {
      const n = Number(args.limit);
      if (!Number.isInteger(n) || n < 1) throw new CliUsageError(`--limit: expected a positive whole number, found "${args.limit}"`);
      gold = gold.slice(0, n);
    }
    const minSimilarity = args['min-similarity'] === undefined ? undefined : Number(args['min-similarity']);
    if (minSimilarity !== undefined && !(minSimilarity >= -1 && minSimilarity <= 1)) throw new CliUsageError(`--min-similarity: expected a number from -1 to 1, found "${args['min-similarity']}"`);
    const local = await openLocalQueryEngine({ configPath: args.config });
    try {
      const report = await runEval(local.engine, gold, { minSimilarity });
      let answers: AnswerEvalReport | undefined;
      if (args.answers) {
        // Answers: the gold file's questions (the default one with --bundles), the cross-company bundles' companies, our out-of-scope list.
        const answerGold = args.bundles ? readGoldFile(resolve(rootDir, DEFAULT_GOLD)) : gold;
        const cross = JSON.parse(readFileSync(resolve(rootDir, DEFAULT_CROSS_COMPANY_BUNDLES), 'utf8')) as unknown;
        const limit = args.limit === undefined ? undefined : Number(args.limit);
        answers = await runAnswerEval(local.engine, { gold: answerGold, multiCompany: multiCompanyQuestions(cross).slice(0, limit), outOfScope: OUT_OF_SCOPE_QUESTIONS });
      }
      const dir = args.out ? resolve(args.out) : resolve(local.config.rootDir, 'eval-results');
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const body = JSON.stringify({ date: new Date().toISOString(), gold: goldPath, bedrock: local.bedrockSource, ...report, ...(answers ? { answers } : {}) }, null, 2);
      const file = join(dir, `eval-${stamp}.json`);
      writeFileSync(file, body);
      writeFileSync(join(dir, 'latest.json'), body);
      if (args.json) console.log(body);
      else console.log(renderReport(report, goldPath) + (answers ? `\n\nanswer-level checks\n${renderAnswerReport(answers)}` : '') + `\n\nwrote ${file}`);
      return 0;
    } finally {
      await local.close();
    }
  },
});

export function renderReport(r: EvalReport, goldPath: string): string {
  const lines = [`gold: ${goldPath}`, `items: ${r.gold_items}, scored: ${r.scored}, evidence absent from the corpus: ${r.absent.count}`, ''];
  const header = ['group', 'mode', 'n', 'R@5', 'R@10', 'R@30', 'MRR'];
  const rows: string[][] = [];
  const add = (group: string, byMode: Record<string, Aggregate>) => {
    for (const m of EVAL_MODES) {
      const a = byMode[m];
      rows.push([group, m, String(a.items), a.recall['@5'].toFixed(3), a.recall['@10'].toFixed(3), a.recall['@30'].toFixed(3), a.mrr.toFixed(3)]);
    }
  };
  add('overall', r.overall);
  for (const [g, v] of Object.entries(r.by_difficulty)) add(`difficulty=${g}`, v);
  for (const [g, v] of Object.entries(r.by_scope)) add(`scope=${g}`, v);
  for (const [g, v] of Object.entries(r.by_split ?? {})) add(`split=${g}`, v);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join('  ');
  lines.push(fmt(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(fmt));
  if (r.absent.count) {
    lines.push('', 'not scored (evidence not in the corpus):');
    for (const a of r.absent.items.slice(0, 20)) lines.push(`  ${a.question_id}  ${a.question}  missing: ${a.missing.join(', ')}`);
    if (r.absent.count > 20) lines.push(`  … and ${r.absent.count - 20} more (all in the JSON report)`);
  }
  lines.push('', `relaxation rungs the items ended on: ${Object.entries(r.relaxations).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  lines.push(`min_similarity ${r.settings.min_similarity} (unfiltered passes only); ${r.ms_per_item} ms per item (retrieval incl. query embedding), kernel ${r.settings.vector_kernel}, embeddings ${r.settings.embedding_model}`);
  return lines.join('\n');
}
