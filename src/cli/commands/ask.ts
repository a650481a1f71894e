/**
 * `larder ask "question"`: answers over the data cache (or S3, per DATA_LOADING_MODE) through
 * Bedrock — the endpoint in AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else a running `larder services`,
 * else an in-process Bedrock emulator — and prints the answer, its sources and a timings/cost table.
 */
import { defineCommand, CliUsageError } from '../command';
import { isQueryError, answerQuery, type QueryResponse } from '../../rag';
import { openLocalQueryEngine } from '../localQueryEngine';

export default defineCommand({
  meta: { name: 'ask', description: 'Answer a question over the data cache', usage: 'ask "question" [--model KEY] [--top-k N] [--json]' },
  args: {
    model: { type: 'string', description: 'serving model key (ml_config.yaml serving_models.models)' },
    'top-k': { type: 'string', description: 'number of sources' },
    'no-kpi': { type: 'boolean', description: 'leave out the KPI facts block', default: false },
    json: { type: 'boolean', description: 'print the raw response JSON', default: false },
    config: { type: 'string', description: 'path of ml_config.yaml' },
  },
  async run({ args, positionals }) {
    const question = positionals.join(' ').trim();
    if (!question) throw new CliUsageError('give the question as an argument, e.g. larder ask "What was Walmart\'s revenue in 2018?"');
    const topK = args['top-k'] === undefined ? undefined : Number(args['top-k']);
    if (topK !== undefined && !Number.isInteger(topK)) throw new CliUsageError(`--top-k: expected a whole number, found "${args['top-k']}"`);
    const local = await openLocalQueryEngine({ configPath: args.config });
    try {
      if (!args.json) console.error(`bedrock: ${local.bedrockEndpoint} (${local.bedrockSource})`);
      const result = await answerQuery(question, { engine: local.engine, modelKey: args.model, topK, includeKpi: !args['no-kpi'] });
      if (args.json) {
        console.log(JSON.stringify(result, null, 2));
        return isQueryError(result) ? 1 : 0;
      }
      if (isQueryError(result)) {
        console.error(`larder ask: [${result.error_type}] at stage "${result.stage}": ${result.error}`);
        return 1;
      }
      console.log(renderAnswer(result));
      return 0;
    } finally {
      await local.close();
    }
  },
});

/** The answer, then its sources numbered as the answer cites them ([n] = sources[n-1]), the KPI facts and the cost table. */
export function renderAnswer(r: QueryResponse): string {
  const lines: string[] = [];
  lines.push(r.answer);
  if (r.sources.length) lines.push('', 'Sources (cited as [n]):');
  for (const s of r.sources) {
    const text = s.text.length > 160 ? s.text.slice(0, 157) + '…' : s.text;
    lines.push(`  [${s.ref}] ${s.company} · FY${s.year} · ${s.section} · sim ${s.similarity.toFixed(3)} · ${s.sentenceID}`, `      ${text}`);
  }
  if (r.kpi_facts.length) {
    lines.push('', 'KPI facts ([KPI]):');
    for (const f of r.kpi_facts) {
      const flag = f.suspect ? `SUSPECT: ${f.reason}` : 'consistent with its series';
      lines.push(`  ${f.ticker} ${f.metric_label} ${f.fiscal_year}: ${f.value.toLocaleString('en-US')} ${f.unit} · accession ${f.accession_no} · ${flag}`);
    }
  }
  const t = r.metadata.timings_ms;
  const llm = r.metadata.llm;
  const rows: Array<[string, string]> = [
    ...(['entities', 'embed', 'search', 'expand', 'assemble', 'generate', 'total'] as const).map((k): [string, string] => [k, `${t[k].toFixed(1)} ms`]),
    ['model', llm.model_id],
    ['tokens in / out', `${llm.input_tokens} / ${llm.output_tokens}`],
    ['cost', `$${llm.cost.toFixed(6)}`],
    ['stop reason', llm.stop_reason],
    ['filters', JSON.stringify(r.metadata.retrieval.filters)],
    ['rows scanned', String(r.metadata.retrieval.rows_scanned)],
  ];
  if (r.metadata.loader.cold) rows.push(['index build', `${String(r.metadata.loader.index_build_ms)} ms (cold: first question in this process; included in total)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  lines.push('', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`));
  return lines.join('\n');
}
