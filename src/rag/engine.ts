/**
 * The query engine: indexes built once (lazily, single-flight) from a DataLoader, then per question
 * entities → filter → query embedding → search → window expansion → context → Converse.
 * Everything it needs is passed in (config, loader, Bedrock client); it builds no clients.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { LarderConfig } from '../config';
import type { DataLoader } from '../loader/types';
import { describeError, LarderError } from '../errors';
import { filterFromEntities } from './filters/fromEntities';
import { parseFilter, type FilterExpression } from './filters/expression';
import { buildIndexes, type RetrievalIndexes } from './retrieval/indexes';
import { searchWithRelaxation, type SearchOutcome, type SearchSettings } from './retrieval/search';
import { coverageNote, coverageOf, entityGroups, searchEachGroup, type EntityGroup } from './retrieval/coverage';
import { sourcesFromContext } from './context/citations';
import { outOfScopeReason } from './scope';
import { notFoundResponse, withNote } from './responseParts';
import { assembleContext, estimateTokens } from './context/assemble';
import { kpiBlock } from './context/kpiBlock';
import { userMessage } from './context/prompt';
import { embedQuery } from './generation/embedQuery';
import { generate, type Generation } from './generation/converse';
import type { RetryOptions } from './generation/bedrockErrors';
import { SYSTEM_PROMPT } from './prompts/system';
import { resolveServingModelKey, validateIncludeKpi, validateQuestion, validateTopK } from './question';
import type { ScanKernelName } from './vector/vectorIndex';
import type { QuestionEntities } from './entities';
import type { AnswerOptions, QueryResponse, QueryStage, StageTimings } from './types';

export interface QueryEngineDeps {
  config: LarderConfig;
  loader: DataLoader;
  bedrock: BedrockRuntimeClient;
  /** Embedding model key; default config.embedding.default. */
  embeddingModel?: string;
  kernel?: ScanKernelName;
  retry?: RetryOptions;
}

export interface RetrievalRun {
  question: string;
  entities: QuestionEntities;
  filter: FilterExpression | null;
  outcome: SearchOutcome;
  timings: Pick<StageTimings, 'entities' | 'embed' | 'search'>;
  /** The companies (or years) searched one by one (retrieval/coverage.ts); [] for one search. */
  groups: EntityGroup[];
}

/** Tokens kept free in the context window beyond the answer's max_tokens (prompt framing, KPI block). */
const CONTEXT_MARGIN_TOKENS = 1024;

export class QueryEngine {
  private indexes?: Promise<RetrievalIndexes>;
  private indexBuildMs = 0;
  readonly embeddingModelKey: string;

  constructor(private readonly deps: QueryEngineDeps) {
    this.embeddingModelKey = deps.embeddingModel ?? deps.config.embedding.default;
    if (!deps.config.embedding.models[this.embeddingModelKey]) {
      throw new LarderError('CONFIG_INVALID', `embedding model "${this.embeddingModelKey}" is not in the config (known: ${Object.keys(deps.config.embedding.models).join(', ')})`);
    }
  }

  /** Builds the indexes on first call; concurrent callers share one build; a failed build is retried next time. */
  ready(): Promise<RetrievalIndexes> {
    if (!this.indexes) {
      const t0 = performance.now();
      const r = this.deps.config.retrieval;
      this.indexes = buildIndexes(this.deps.loader, { embeddingModel: this.embeddingModelKey, kernel: this.deps.kernel, lexical: { k1: r.lexical.k1, b: r.lexical.b } }).then(
        (ix) => {
          this.indexBuildMs = Math.round(performance.now() - t0);
          return ix;
        },
        (err) => {
          this.indexes = undefined;
          throw err;
        },
      );
    }
    return this.indexes;
  }

  /** Retrieval only (no generation): what eval scores and what answer() builds on. */
  async retrieve(question: string, settings: Partial<SearchSettings> & { filter?: FilterExpression | null } = {}, embedding?: ReturnType<typeof embedQuery>): Promise<RetrievalRun> {
    const ix = await atStage('load', () => this.ready());
    const timings = { entities: 0, embed: 0, search: 0 };
    const entities = await timed(timings, 'entities', () => ix.entities.extract(question));
    // A caller's explicit filter is a hard constraint (no relaxation); one built from the question is relaxed when short.
    const explicit = settings.filter !== undefined;
    const filter = explicit ? (settings.filter ?? null) : filterFromEntities(entities);
    if (filter !== null) await atStage('entities', () => parseFilter(filter));
    const model = this.deps.config.embedding.models[this.embeddingModelKey];
    const query = await timed(timings, 'embed', () => embedding ?? embedQuery(this.deps.bedrock, model, question, this.deps.retry));
    const { filter: _filter, ...overrides } = settings;
    const search = { ...this.searchSettings(), ...(explicit ? { relax: false } : {}), ...overrides };
    // Several companies (or years) named: one search each, so none of them is crowded out.
    const groups = explicit ? [] : entityGroups(entities);
    const outcome = await timed(timings, 'search', () => (groups.length ? searchEachGroup(ix, question, query, groups, search) : searchWithRelaxation(ix, question, query, filter, search)));
    return { question, entities, filter, outcome, timings, groups };
  }

  searchSettings(topK?: number): SearchSettings {
    const r = this.deps.config.retrieval;
    return {
      topK: topK ?? r.top_k,
      candidateMultiplier: r.candidate_multiplier,
      minSimilarity: r.min_similarity,
      globalPass: r.global_pass,
      fusion: r.fusion,
      rrfK: r.rrf_k,
      lexicalEnabled: r.lexical.enabled,
    };
  }

  /** Answers a question; throws a LarderError whose details.stage names the stage that failed. */
  async answer(rawQuestion: unknown, options: AnswerOptions = {}): Promise<QueryResponse> {
    const t0 = performance.now();
    const { config } = this.deps;
    const [question, modelKey, topK, includeKpi] = await atStage('validate', () => [
      validateQuestion(rawQuestion),
      resolveServingModelKey(config, options.modelKey),
      validateTopK(config, options.topK),
      validateIncludeKpi(options.includeKpi),
    ] as const);
    const cold = !this.indexes;
    // On a cold start the question's embedding is asked for while the tables load, not after (its
    // error, if any, surfaces at the embed stage, and only if the question is searched at all).
    const embedding = cold ? embedQuery(this.deps.bedrock, config.embedding.models[this.embeddingModelKey], question, this.deps.retry) : undefined;
    embedding?.catch(() => {});
    const ix = await atStage('load', () => this.ready());
    const outOfScope = options.filter === undefined ? await atStage('entities', () => outOfScopeReason(question, ix.entities.extract(question))) : null;
    if (outOfScope) return notFoundResponse(question, outOfScope, config.serving_models.models[modelKey].model_id, { kind: this.deps.loader.kind, cold, index_build_ms: cold ? this.indexBuildMs : 0, vector_kernel: ix.vector.kernel, embedding_model: ix.embeddingModel, tables: this.deps.loader.stats() }, t0);
    const run = await this.retrieve(question, { ...this.searchSettings(topK), ...(options.filter !== undefined ? { filter: options.filter } : {}) }, embedding);
    const timings: StageTimings = { ...run.timings, expand: 0, assemble: 0, generate: 0, total: 0 };
    const hits = run.outcome.fused.slice(0, topK);

    const blocks = await timed(timings, 'expand', () => ix.windows.expand(hits.map((h) => h.row), config.retrieval.window_size));
    const model = config.serving_models.models[modelKey];
    const prompt = await timed(timings, 'assemble', () => {
      const budget = model.context_window - model.max_tokens - estimateTokens(SYSTEM_PROMPT + question) - CONTEXT_MARGIN_TOKENS;
      const context = assembleContext(ix.sentences, blocks, { maxBlocks: config.retrieval.max_context_blocks, maxTokens: Math.max(0, budget) });
      const kpi = includeKpi ? kpiBlock(ix.kpis, run.entities) : null;
      return { context, kpi, text: userMessage(context.text, kpi?.text ?? null, question) };
    });
    const generation: Generation = await timed(timings, 'generate', async () => {
      if (!prompt.context.blocks.length && !prompt.kpi) {
        return { text: 'No passages in the filings matched this question, so there is nothing to answer from.', model_id: model.model_id, input_tokens: 0, output_tokens: 0, cost: 0, stop_reason: 'no_context' };
      }
      return generate(this.deps.bedrock, model, SYSTEM_PROMPT, prompt.text, this.deps.retry);
    });
    timings.total = round(performance.now() - t0);

    const sources = sourcesFromContext(ix.sentences, prompt.context, hits);
    const coverage = run.groups.length ? coverageOf(run.groups, sources, run.entities) : undefined;
    return {
      query: question,
      answer: withNote(generation.text, coverage ? coverageNote(coverage, run.entities) : ''),
      sources,
      kpi_facts: prompt.kpi?.used ?? [],
      ...(coverage ? { coverage } : {}),
      metadata: {
        llm: { model_id: generation.model_id, input_tokens: generation.input_tokens, output_tokens: generation.output_tokens, cost: generation.cost, stop_reason: generation.stop_reason },
        retrieval: { filters: run.filter, relaxation: run.outcome.relaxation, filter_used: run.outcome.filterUsed, hits: hits.length, rows_scanned: run.outcome.rowsScanned },
        timings_ms: timings,
        loader: {
          kind: this.deps.loader.kind,
          cold,
          index_build_ms: cold ? this.indexBuildMs : 0,
          vector_kernel: ix.vector.kernel,
          embedding_model: ix.embeddingModel,
          tables: this.deps.loader.stats(),
        },
      },
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

async function timed<T, K extends string>(timings: Record<K, number>, stage: K & QueryStage, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await atStage(stage, fn);
  } finally {
    timings[stage] = round(performance.now() - t0);
  }
}

/**
 * Runs fn; any error comes out as a LarderError with details.stage (its code and status kept — except
 * that a failure to load the tables is always a 5xx: a missing table is the server's problem, and a
 * 404 on POST /query would tell the client its request was wrong).
 */
export async function atStage<T>(stage: QueryStage, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LarderError) {
      if (err.details?.stage) throw err;
      const statusCode = stage === 'load' && err.statusCode < 500 ? 500 : err.statusCode;
      throw new LarderError(err.code, err.message, { cause: err.cause ?? err, statusCode, details: { ...err.details, stage } });
    }
    throw new LarderError('INTERNAL', `${stage} failed: ${describeError(err)}`, { cause: err, details: { stage } });
  }
}
