/**
 * InvokeModel embeddings through the real BedrockRuntimeClient: Titan v2, Cohere v3 and Cohere v4
 * response shapes and dimensions, determinism, normalisation, and retrieval on real 10-K sentences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedText, embeddingSeed } from '../../../src/local/services/bedrock';
import { dot, invokeJson, loadFixtureSentences, norm, startEmulatorWithClient, type EmulatorFixture } from './helpers';

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE_V3 = 'cohere.embed-english-v3';
const COHERE_V4 = 'cohere.embed-v4:0';

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startEmulatorWithClient();
});
afterAll(async () => {
  await fixture?.stop();
});

const sentences = loadFixtureSentences();
const walmartDebt = sentences.find((s) => s.sentenceID === '0000104169_10-K_2018_section_7_142')!;

describe('Titan Text Embeddings v2', () => {
  it('returns embedding, inputTextTokenCount and embeddingsByType.float of 1024 dims by default', async () => {
    const body = await invokeJson(fixture.client, TITAN, { inputText: walmartDebt.sentence_text });
    expect(Object.keys(body).sort()).toEqual(['embedding', 'embeddingsByType', 'inputTextTokenCount']);
    expect(body.embedding).toHaveLength(1024);
    expect(body.embeddingsByType.float).toEqual(body.embedding);
    expect(body.inputTextTokenCount).toBeGreaterThan(10);
    expect(norm(body.embedding)).toBeCloseTo(1, 5);
  });

  it.each([256, 512, 1024])('honours dimensions %i', async (dimensions) => {
    const body = await invokeJson(fixture.client, TITAN, { inputText: 'net sales grew', dimensions });
    expect(body.embedding).toHaveLength(dimensions);
  });

  it('returns a binary embedding of 0/1 per dimension when asked, and float stays in embedding', async () => {
    const body = await invokeJson(fixture.client, TITAN, { inputText: 'net sales grew', dimensions: 256, embeddingTypes: ['binary'] });
    expect(Object.keys(body.embeddingsByType)).toEqual(['binary']);
    expect(body.embeddingsByType.binary).toHaveLength(256);
    expect(new Set(body.embeddingsByType.binary)).toEqual(new Set([0, 1]));
    expect(body.embedding).toHaveLength(256);
  });

  it('leaves the vector unnormalised when normalize is false', async () => {
    const body = await invokeJson(fixture.client, TITAN, { inputText: 'revenue revenue revenue growth', normalize: false });
    expect(norm(body.embedding)).toBeGreaterThan(1.01);
  });

  it('is deterministic: the same text gives the same vector across calls', async () => {
    const a = await invokeJson(fixture.client, TITAN, { inputText: walmartDebt.sentence_text, dimensions: 512 });
    const b = await invokeJson(fixture.client, TITAN, { inputText: walmartDebt.sentence_text, dimensions: 512 });
    expect(a.embedding).toEqual(b.embedding);
  });
});

describe('Cohere Embed v3', () => {
  it('returns {id, texts, embeddings: float[][], response_type: embeddings_floats} without embedding_types', async () => {
    const texts = sentences.slice(0, 3).map((s) => s.sentence_text);
    const body = await invokeJson(fixture.client, COHERE_V3, { texts, input_type: 'search_document' });
    expect(Object.keys(body).sort()).toEqual(['embeddings', 'id', 'response_type', 'texts']);
    expect(body.response_type).toBe('embeddings_floats');
    expect(body.texts).toEqual(texts);
    expect(typeof body.id).toBe('string');
    expect(body.embeddings).toHaveLength(3);
    for (const e of body.embeddings) {
      expect(e).toHaveLength(1024);
      expect(norm(e)).toBeCloseTo(1, 5);
    }
  });

  it('returns the by-type form with every requested type when embedding_types is given', async () => {
    const body = await invokeJson(fixture.client, COHERE_V3, {
      texts: ['operating income rose', 'cash flow fell'],
      input_type: 'search_query',
      embedding_types: ['float', 'int8', 'uint8', 'binary', 'ubinary'],
    });
    expect(body.response_type).toBe('embeddings_by_type');
    expect(Object.keys(body.embeddings).sort()).toEqual(['binary', 'float', 'int8', 'ubinary', 'uint8']);
    expect(body.embeddings.float[0]).toHaveLength(1024);
    expect(body.embeddings.int8[1]).toHaveLength(1024);
    expect(Math.max(...body.embeddings.int8[0].map(Math.abs))).toBe(127);
    expect(Math.min(...body.embeddings.uint8[0])).toBeGreaterThanOrEqual(0);
    expect(body.embeddings.binary[0]).toHaveLength(128);
    expect(body.embeddings.ubinary[0].every((b: number) => b >= 0 && b <= 255)).toBe(true);
  });

  it('embeds a query and a document into the same space (search_query vs search_document)', async () => {
    const text = walmartDebt.sentence_text;
    const asDocument = await invokeJson(fixture.client, COHERE_V3, { texts: [text], input_type: 'search_document' });
    const asQuery = await invokeJson(fixture.client, COHERE_V3, { texts: [text], input_type: 'search_query' });
    expect(dot(asDocument.embeddings[0], asQuery.embeddings[0])).toBeCloseTo(1, 5);
  });

  it('truncates a text over 2,048 characters when truncate is END or START', async () => {
    const long = `${walmartDebt.sentence_text} `.repeat(12);
    for (const truncate of ['END', 'START']) {
      const body = await invokeJson(fixture.client, COHERE_V3, { texts: [long], input_type: 'search_document', truncate });
      expect(body.embeddings[0]).toHaveLength(1024);
    }
  });

  it('accepts the multilingual v3 model id', async () => {
    const body = await invokeJson(fixture.client, 'cohere.embed-multilingual-v3', { texts: ['Umsatz'], input_type: 'clustering' });
    expect(body.embeddings[0]).toHaveLength(1024);
  });
});

describe('Cohere Embed v4', () => {
  it('returns embeddings.float of 1536 dims by default, in the by-type form', async () => {
    const body = await invokeJson(fixture.client, COHERE_V4, { texts: ['gross margin'], input_type: 'search_document' });
    expect(body.response_type).toBe('embeddings_by_type');
    expect(Object.keys(body.embeddings)).toEqual(['float']);
    expect(body.embeddings.float[0]).toHaveLength(1536);
  });

  it.each([256, 512, 1024, 1536])('honours output_dimension %i', async (output_dimension) => {
    const body = await invokeJson(fixture.client, COHERE_V4, { texts: ['a', 'b c'], input_type: 'search_query', output_dimension });
    expect(body.embeddings.float).toHaveLength(2);
    expect(body.embeddings.float[1]).toHaveLength(output_dimension);
  });

  it('accepts a full batch of 96 texts and keeps their order', async () => {
    const texts = sentences.slice(0, 96).map((s) => s.sentence_text);
    const batch = await invokeJson(fixture.client, COHERE_V4, { texts, input_type: 'search_document', output_dimension: 1024 });
    const single = await invokeJson(fixture.client, COHERE_V4, { texts: [texts[57]], input_type: 'search_document', output_dimension: 1024 });
    expect(batch.embeddings.float).toHaveLength(96);
    expect(batch.embeddings.float[57]).toEqual(single.embeddings.float[0]);
  });

  it('embeds into its own space: the same text under Titan is unrelated (as real models are)', async () => {
    const text = walmartDebt.sentence_text;
    const v4 = await invokeJson(fixture.client, COHERE_V4, { texts: [text], input_type: 'search_document', output_dimension: 1024 });
    const titan = await invokeJson(fixture.client, TITAN, { inputText: text });
    expect(Math.abs(dot(v4.embeddings.float[0], titan.embedding))).toBeLessThan(0.3);
  });

  it('matches the pure embedText with the model seed (what the wire carries, rounded to 7 decimals)', async () => {
    const text = walmartDebt.sentence_text;
    const v4 = await invokeJson(fixture.client, COHERE_V4, { texts: [text], input_type: 'search_query', output_dimension: 512 });
    const local = embedText(text, 512, { seed: embeddingSeed(COHERE_V4) });
    v4.embeddings.float[0].forEach((x: number, i: number) => expect(x).toBeCloseTo(local[i]!, 6));
  });
});

describe('retrieval quality on real 10-K sentences', () => {
  it('places texts sharing content words closer than unrelated texts', async () => {
    const related = 'Walmart loss on extinguishment of debt in fiscal 2018';
    const unrelated = sentences.find((s) => s.company !== walmartDebt.company && s.topic !== 'debt')!.sentence_text;
    const body = await invokeJson(fixture.client, COHERE_V4, {
      texts: [walmartDebt.sentence_text, related, unrelated],
      input_type: 'search_document',
      output_dimension: 1024,
    });
    const [doc, near, far] = body.embeddings.float;
    expect(dot(doc, near)).toBeGreaterThan(0.3);
    expect(dot(doc, near)).toBeGreaterThan(dot(doc, far) + 0.2);
  });

  it('finds a sentence among 448 from a query of a few of its words (top-1 for at least 90%)', async () => {
    const corpus = sentences.map((s) => s.sentence_text);
    const docVectors: number[][] = [];
    for (let i = 0; i < corpus.length; i += 96) {
      const body = await invokeJson(fixture.client, COHERE_V4, { texts: corpus.slice(i, i + 96), input_type: 'search_document', output_dimension: 1024 });
      docVectors.push(...body.embeddings.float);
    }
    // Queries: every 8th sentence, reduced to 6 of its longer words in a shuffled order.
    const targets = corpus.map((_, i) => i).filter((i) => i % 8 === 0);
    const queries = targets.map((i) => {
      const words = corpus[i]!.split(/\W+/).filter((w) => w.length > 4);
      return words.filter((_, k) => k % 2 === 1).slice(0, 6).reverse().join(' ');
    });
    const queryBody = await invokeJson(fixture.client, COHERE_V4, { texts: queries, input_type: 'search_query', output_dimension: 1024 });
    let hits = 0;
    targets.forEach((target, q) => {
      const query = queryBody.embeddings.float[q];
      let best = -1;
      let bestScore = -Infinity;
      docVectors.forEach((d, i) => {
        const s = dot(query, d);
        if (s > bestScore) [best, bestScore] = [i, s];
      });
      if (corpus[best] === corpus[target]) hits++;
    });
    expect(hits / targets.length).toBeGreaterThanOrEqual(0.9);
  });
});
