/** The query pipeline: answer questions over the loader's tables with Bedrock. See docs/rag.md. */
export { QueryEngine, atStage, type QueryEngineDeps, type RetrievalRun } from './engine';
export { answerQuery, isQueryError, queryError } from './answerQuery';
export type { AnswerOptions, QueryResponse, QueryErrorResponse, QuerySource, QueryStage, StageTimings } from './types';
export { MAX_QUESTION_CHARS } from './question';
export type { FilterExpression } from './filters/expression';
export { compileFilter } from './filters/compile';
export { filterFromEntities } from './filters/fromEntities';
export { VectorIndex, type ScanKernelName } from './vector/vectorIndex';
export { Bm25Index } from './lexical/bm25';
