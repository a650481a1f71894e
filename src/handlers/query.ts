/**
 * QueryFunction: answers a question over the cached tables with Bedrock.
 *
 *  - API Gateway REST (v1 proxy) `POST /query` with `{question, model_key?, top_k?, include_kpi?}` →
 *    200 with the answerQuery response, or `{error, error_code, query, answer: null, error_type, stage}`
 *    with the error's status (400 bad request, 503 Bedrock throttling, 502 other Bedrock failures).
 *  - Direct invocation with `{question, …}` → the answerQuery response or its error object.
 *
 * The config, loader, Bedrock client and query engine (with its indexes) live at module scope, built
 * on the first call, so warm invocations reuse them.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createBedrockRuntimeClient } from '../aws';
import { loadConfig } from '../config';
import { LarderError, ValidationError } from '../errors';
import { createDataLoader, type DataLoader, type InvocationClock } from '../loader';
import { atStage, QueryEngine, queryError, type AnswerOptions, type QueryErrorResponse, type QueryResponse } from '../rag';
import { errorResponse, isApiGatewayV1Event, jsonResponse, parseJsonBody, validateRestEventFields } from './shared/http';

let engine: QueryEngine | undefined;
let loader: DataLoader | undefined;

/** The module-scope engine, its loader bound to this invocation (S3 retries stop in time to answer). */
function queryEngine(context?: InvocationClock): QueryEngine {
  if (!engine) {
    const config = loadConfig();
    loader = createDataLoader(config);
    engine = new QueryEngine({ config, loader, bedrock: createBedrockRuntimeClient(config) });
  }
  loader?.bindInvocation?.(context);
  return engine;
}

const REQUEST_KEYS = ['question', 'model_key', 'top_k', 'include_kpi'];

/** Request body / direct event → the question and answer options; unknown keys are a 400. */
export function parseQueryRequest(body: Record<string, unknown>): { question: unknown; options: AnswerOptions } {
  const unknown = Object.keys(body).filter((k) => !REQUEST_KEYS.includes(k));
  if (unknown.length) throw new ValidationError(`unknown request field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (accepted: ${REQUEST_KEYS.join(', ')})`);
  return { question: body.question, options: { modelKey: body.model_key, topK: body.top_k, includeKpi: body.include_kpi } };
}

export async function handler(event: unknown, context?: InvocationClock): Promise<APIGatewayProxyResult | QueryResponse | QueryErrorResponse> {
  if (isApiGatewayV1Event(event)) return handleApi(event, context);
  let question: unknown;
  try {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new ValidationError('expected an event object like {"question": "…"}');
    const request = parseQueryRequest(event as Record<string, unknown>);
    question = request.question;
    const e = await atStage('load', () => queryEngine(context));
    return await e.answer(request.question, request.options);
  } catch (err) {
    return queryError(question, err);
  }
}

async function handleApi(event: APIGatewayProxyEvent, context?: InvocationClock): Promise<APIGatewayProxyResult> {
  let question: unknown;
  try {
    validateRestEventFields(event);
    if (event.httpMethod !== 'POST') throw new LarderError('VALIDATION', `${event.httpMethod} is not supported on ${event.path}; use POST with {"question": "…"}`, { statusCode: 405 });
    const request = parseQueryRequest(await atStage('validate', () => parseJsonBody(event)));
    question = request.question;
    const e = await atStage('load', () => queryEngine(context));
    return jsonResponse(200, await e.answer(request.question, request.options));
  } catch (err) {
    const { query, error_type, stage } = queryError(question, err);
    return errorResponse(err, { query, answer: null, error_type, stage });
  }
}
