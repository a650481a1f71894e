/**
 * An in-memory DataLoader over a small corpus for the query tests: the sentence rows are written
 * here, their vectors come from the Bedrock emulator over the wire (search_document), the dimension
 * rows are the real FinSights ones (tests/unit/rag/fixtures.ts).
 */
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { LarderConfig } from '../../../src/config';
import type { DataLoader, EmbeddingMatrix, KpiFactRow } from '../../../src/loader/types';
import { InMemoryDataLoader } from '../../../src/loader/memoryLoader';
import { normalised } from '../../../src/rag/vector/exactDot';
import { COMPANIES, SECTIONS, sentencesTable, type SentenceSpec } from '../../unit/rag/fixtures';

export const CORPUS: SentenceSpec[] = [
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 10, text: 'Walmart consolidated net sales increased 3.0% to $495.8 billion in fiscal 2018.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 11, text: 'The increase in net sales was primarily due to comparable sales growth in the Walmart U.S. segment.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 12, text: 'Fuel prices also contributed to higher sales in fiscal 2018.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 13, text: 'Operating income decreased due to the loss on extinguishment of debt.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 30, text: 'Our effective tax rate reflected the Tax Cuts and Jobs Act.' },
  { cik: 104169, year: 2018, item: 'ITEM_1A', pos: 5, text: 'Walmart faces intense competition from online retailers and discount stores.' },
  { cik: 104169, year: 2019, item: 'ITEM_7', pos: 8, text: 'Walmart consolidated net sales increased 2.8% to $510.3 billion in fiscal 2019.' },
  { cik: 104169, year: 2019, item: 'ITEM_7', pos: 9, text: 'eCommerce sales grew 40% in the Walmart U.S. segment in fiscal 2019.' },
  { cik: 320193, year: 2019, item: 'ITEM_7', pos: 3, text: 'Apple total net sales decreased 2% to $260.2 billion during 2019 compared to 2018.' },
  { cik: 320193, year: 2019, item: 'ITEM_7', pos: 4, text: 'iPhone net sales decreased due to lower unit sales.' },
  { cik: 320193, year: 2019, item: 'ITEM_1A', pos: 1, text: 'Apple depends on component suppliers and outsourcing partners, many located outside the U.S.' },
  { cik: 320193, year: 2019, item: 'ITEM_1A', pos: 2, text: 'Global economic conditions could materially adversely affect Apple.' },
  { cik: 1065280, year: 2016, item: 'ITEM_1A', pos: 46, text: 'Netflix is subject to regulation of internet service providers and net neutrality rules.' },
  { cik: 1065280, year: 2016, item: 'ITEM_1A', pos: 47, text: 'Changes in government regulation of the internet, including net neutrality, could adversely affect our streaming business.' },
  { cik: 1065280, year: 2016, item: 'ITEM_1A', pos: 48, text: 'Privacy laws and data protection regulations could increase our costs.' },
  { cik: 1065280, year: 2016, item: 'ITEM_7', pos: 20, text: 'Netflix streaming revenues grew 35% due to growth in paid memberships.' },
];

export const KPIS: KpiFactRow[] = [
  { cik: '0000104169', cik_int: 104169, ticker: 'WMT', year: 2018, metric_key: 'revenue', metric_label: 'Revenue', metric_type: 'gaap', value: 500343000000, unit: 'USD', filed_date: '2018-03-30', accession_no: '0000104169-18-000028' },
  { cik: '0000104169', cik_int: 104169, ticker: 'WMT', year: 2019, metric_key: 'revenue', metric_label: 'Revenue', metric_type: 'gaap', value: 514405000000, unit: 'USD', filed_date: '2019-03-28', accession_no: '0000104169-19-000016' },
];

export async function createMemoryLoader(config: LarderConfig, bedrock: BedrockRuntimeClient): Promise<DataLoader> {
  const table = sentencesTable(CORPUS);
  const model = config.embedding.models[config.embedding.default];
  const response = await bedrock.send(
    new InvokeModelCommand({
      modelId: model.model_id,
      contentType: 'application/json',
      body: JSON.stringify({ texts: table.sentence, input_type: 'search_document', embedding_types: ['float'], output_dimension: model.dimensions }),
    }),
  );
  const body = JSON.parse(new TextDecoder().decode(response.body)) as { embeddings: { float: number[][] } };
  const vectors = new Float32Array(table.count * model.dimensions);
  body.embeddings.float.forEach((v, i) => vectors.set(normalised(v), i * model.dimensions));
  const matrix: EmbeddingMatrix = { model: config.embedding.default, ids: table.sentenceID, vectors, dims: model.dimensions, count: table.count };
  return new InMemoryDataLoader({ sentences: table, embeddings: matrix, companies: COMPANIES, sections: SECTIONS, kpiFacts: KPIS });
}
