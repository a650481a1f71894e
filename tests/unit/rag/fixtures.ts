/**
 * Dimension rows for unit tests, copied from FinSights (https://github.com/mjsushanth/FinSights,
 * MIT, Copyright (c) 2025 Northeastern University IE7374 MLOps Team) via ../shared/data/finsights/.
 */
import { vi } from 'vitest';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CompanyRow, DataLoader, SectionRow, SentencesTable } from '../../../src/loader/types';
import { InMemoryDataLoader } from '../../../src/loader/memoryLoader';
import { normalised } from '../../../src/rag/vector/exactDot';

export const COMPANIES: CompanyRow[] = [
  { company_id: 1, cik_int: 1045810, cik: '0001045810', company_name: "NVIDIA CORP", ticker: 'NVDA' },
  { company_id: 2, cik_int: 789019, cik: '0000789019', company_name: "MICROSOFT CORP", ticker: 'MSFT' },
  { company_id: 3, cik_int: 320193, cik: '0000320193', company_name: "Apple Inc.", ticker: 'AAPL' },
  { company_id: 4, cik_int: 1018724, cik: '0001018724', company_name: "AMAZON COM INC", ticker: 'AMZN' },
  { company_id: 5, cik_int: 1326801, cik: '0001326801', company_name: "Meta Platforms, Inc.", ticker: 'META' },
  { company_id: 6, cik_int: 1318605, cik: '0001318605', company_name: "Tesla, Inc.", ticker: 'TSLA' },
  { company_id: 7, cik_int: 59478, cik: '0000059478', company_name: "ELI LILLY & Co", ticker: 'LLY' },
  { company_id: 8, cik_int: 1403161, cik: '0001403161', company_name: "VISA INC.", ticker: 'V' },
  { company_id: 9, cik_int: 1065280, cik: '0001065280', company_name: "NETFLIX INC", ticker: 'NFLX' },
  { company_id: 10, cik_int: 1341439, cik: '0001341439', company_name: "ORACLE CORP", ticker: 'ORCL' },
  { company_id: 11, cik_int: 104169, cik: '0000104169', company_name: "Walmart Inc.", ticker: 'WMT' },
  { company_id: 12, cik_int: 34088, cik: '0000034088', company_name: "EXXON MOBIL CORP", ticker: 'XOM' },
  { company_id: 13, cik_int: 1141391, cik: '0001141391', company_name: "Mastercard Inc", ticker: 'MA' },
  { company_id: 14, cik_int: 200406, cik: '0000200406', company_name: "JOHNSON & JOHNSON", ticker: 'JNJ' },
  { company_id: 15, cik_int: 909832, cik: '0000909832', company_name: "COSTCO WHOLESALE CORP /NEW", ticker: 'COST' },
  { company_id: 16, cik_int: 1276520, cik: '0001276520', company_name: "GENWORTH FINANCIAL INC", ticker: 'GNW' },
  { company_id: 17, cik_int: 813762, cik: '0000813762', company_name: "ICAHN ENTERPRISES L.P.", ticker: 'IEP' },
  { company_id: 18, cik_int: 1273813, cik: '0001273813', company_name: "ASSURED GUARANTY LTD", ticker: 'AGO' },
  { company_id: 19, cik_int: 890926, cik: '0000890926', company_name: "RADIAN GROUP INC", ticker: 'RDN' },
  { company_id: 20, cik_int: 814585, cik: '0000814585', company_name: "MBIA INC", ticker: 'MBI' },
  { company_id: 21, cik_int: 1652044, cik: '0001652044', company_name: "Alphabet Inc.", ticker: 'GOOGL' },
];

export const SECTIONS: SectionRow[] = [
  { sec_item_canonical: 'ITEM_1', section_code: 'PART_I_ITEM_1', section_name: "Item 1: Business", section_description: "Business description, products, services, strategy, competition, market segments", section_category: 'P1_BUSINESS', part_number: 1, priority: 'P1' },
  { sec_item_canonical: 'ITEM_1A', section_code: 'PART_I_ITEM_1A', section_name: "Item 1A: Risk Factors", section_description: "Risk factors, uncertainties, forward-looking statement risks", section_category: 'P1_RISK', part_number: 1, priority: 'P1' },
  { sec_item_canonical: 'ITEM_1B', section_code: 'PART_I_ITEM_1B', section_name: "Item 1B: Unresolved Staff Comments", section_description: "Outstanding SEC staff comments (typically \"None\")", section_category: 'P1_SEC_COMMENTS', part_number: 1, priority: 'P3' },
  { sec_item_canonical: 'ITEM_2', section_code: 'PART_I_ITEM_2', section_name: "Item 2: Properties", section_description: "Physical properties, facilities, real estate holdings", section_category: 'P1_PROPERTIES', part_number: 1, priority: 'P2' },
  { sec_item_canonical: 'ITEM_3', section_code: 'PART_I_ITEM_3', section_name: "Item 3: Legal Proceedings", section_description: "Litigation, legal matters, material legal proceedings", section_category: 'P1_LEGAL', part_number: 1, priority: 'P2' },
  { sec_item_canonical: 'ITEM_4', section_code: 'PART_I_ITEM_4', section_name: "Item 4: Mine Safety Disclosures", section_description: "Mine safety statistics (only for mining companies)", section_category: 'P1_MINE_SAFETY', part_number: 1, priority: 'P3' },
  { sec_item_canonical: 'ITEM_5', section_code: 'PART_II_ITEM_5', section_name: "Item 5: Market for Registrant Common Equity", section_description: "Stock market data, dividends, share repurchases, stock performance", section_category: 'P2_MARKET', part_number: 2, priority: 'P2' },
  { sec_item_canonical: 'ITEM_6', section_code: 'PART_II_ITEM_6', section_name: "Item 6: [Reserved] / Selected Financial Data", section_description: "Multi-year financial summary (deprecated after 2020 for smaller filers)", section_category: 'P2_SELECTED_FIN', part_number: 2, priority: 'P2' },
  { sec_item_canonical: 'ITEM_7', section_code: 'PART_II_ITEM_7', section_name: "Item 7: Management Discussion & Analysis (MD&A)", section_description: "Revenue trends, operating results, liquidity, capital resources, outlook - CRITICAL", section_category: 'P2_MDNA', part_number: 2, priority: 'P0' },
  { sec_item_canonical: 'ITEM_7A', section_code: 'PART_II_ITEM_7A', section_name: "Item 7A: Quantitative and Qualitative Disclosures About Market Risk", section_description: "Interest rate risk, foreign currency risk, commodity risk exposures", section_category: 'P2_MARKET_RISK', part_number: 2, priority: 'P1' },
  { sec_item_canonical: 'ITEM_8', section_code: 'PART_II_ITEM_8', section_name: "Item 8: Financial Statements and Supplementary Data", section_description: "Audited financial statements, balance sheet, income statement, cash flow, notes - CRITICAL", section_category: 'P2_FINANCIALS', part_number: 2, priority: 'P0' },
  { sec_item_canonical: 'ITEM_9', section_code: 'PART_II_ITEM_9', section_name: "Item 9: Changes in and Disagreements with Accountants", section_description: "Accounting disagreements with auditors (rare, usually \"None\")", section_category: 'P2_ACCT_DISAGREE', part_number: 2, priority: 'P3' },
  { sec_item_canonical: 'ITEM_9A', section_code: 'PART_II_ITEM_9A', section_name: "Item 9A: Controls and Procedures", section_description: "Internal controls, SOX 404 disclosures, ICFR effectiveness", section_category: 'P2_CONTROLS', part_number: 2, priority: 'P2' },
  { sec_item_canonical: 'ITEM_9B', section_code: 'PART_II_ITEM_9B', section_name: "Item 9B: Other Information", section_description: "Material information not previously disclosed", section_category: 'P2_OTHER_INFO', part_number: 2, priority: 'P3' },
  { sec_item_canonical: 'ITEM_10', section_code: 'PART_III_ITEM_10', section_name: "Item 10: Directors, Executive Officers and Corporate Governance", section_description: "Board of directors, executive officers, governance structure", section_category: 'P3_DIRECTORS', part_number: 3, priority: 'P2' },
  { sec_item_canonical: 'ITEM_11', section_code: 'PART_III_ITEM_11', section_name: "Item 11: Executive Compensation", section_description: "Executive pay, equity grants, compensation discussion and analysis", section_category: 'P3_COMPENSATION', part_number: 3, priority: 'P2' },
  { sec_item_canonical: 'ITEM_12', section_code: 'PART_III_ITEM_12', section_name: "Item 12: Security Ownership of Certain Beneficial Owners and Management", section_description: "Share ownership by directors, officers, major shareholders, equity plans", section_category: 'P3_OWNERSHIP', part_number: 3, priority: 'P2' },
  { sec_item_canonical: 'ITEM_13', section_code: 'PART_III_ITEM_13', section_name: "Item 13: Certain Relationships and Related Transactions", section_description: "Related party transactions, director independence", section_category: 'P3_RELATED_TX', part_number: 3, priority: 'P3' },
  { sec_item_canonical: 'ITEM_14', section_code: 'PART_III_ITEM_14', section_name: "Item 14: Principal Accountant Fees and Services", section_description: "Auditor fees, audit and non-audit services", section_category: 'P3_AUDITOR_FEES', part_number: 3, priority: 'P3' },
  { sec_item_canonical: 'ITEM_15', section_code: 'PART_IV_ITEM_15', section_name: "Item 15: Exhibits and Financial Statement Schedules", section_description: "List of exhibits, financial schedules, exhibit index", section_category: 'P4_EXHIBITS', part_number: 4, priority: 'P3' },
  { sec_item_canonical: 'ITEM_16', section_code: 'PART_IV_ITEM_16', section_name: "Item 16: Form 10-K Summary", section_description: "Optional summary of 10-K (rarely used)", section_category: 'P4_SUMMARY', part_number: 4, priority: 'P3' },
];

export const KPI_LABELS = [
  { metric_key: 'revenue', metric_label: 'Revenue' },
  { metric_key: 'revenue_net', metric_label: 'Net Revenue' },
  { metric_key: 'net_income', metric_label: 'Net Income' },
  { metric_key: 'cfo', metric_label: 'Operating Cash Flow' },
  { metric_key: 'free_cash_flow', metric_label: 'Free Cash Flow' },
  { metric_key: 'net_profit_margin', metric_label: 'Net Profit Margin %' },
  { metric_key: 'operating_margin', metric_label: 'Operating Margin %' },
  { metric_key: 'gross_profit', metric_label: 'Gross Profit' },
  { metric_key: 'roe', metric_label: 'ROE % (Avg Equity)' },
  { metric_key: 'debt_to_equity', metric_label: 'Debt-to-Equity' },
];

export interface SentenceSpec {
  cik: number;
  year: number;
  item: string;
  pos: number;
  text: string;
}

/** A columnar SentencesTable from row specs, ids in the FinSights form {cik10}_10-K_{year}_section_{item}_{seq}. */
export function sentencesTable(specs: SentenceSpec[]): SentencesTable {
  const company = new Map(COMPANIES.map((c) => [c.cik_int, c]));
  const section = new Map(SECTIONS.map((s) => [s.sec_item_canonical, s]));
  const t: SentencesTable = {
    count: specs.length,
    sentenceID: [],
    docID: [],
    cik_int: new Int32Array(specs.length),
    company_name: [],
    ticker: [],
    report_year: new Int32Array(specs.length),
    section_item: [],
    section_name: [],
    sentence: [],
    sentence_pos: new Int32Array(specs.length),
    rowById: new Map(),
  };
  specs.forEach((s, i) => {
    const cik10 = String(s.cik).padStart(10, '0');
    const docID = `${cik10}_10-K_${s.year}`;
    const id = `${docID}_section_${s.item.replace('ITEM_', '')}_${s.pos}`;
    t.sentenceID.push(id);
    t.docID.push(docID);
    t.cik_int[i] = s.cik;
    t.company_name.push(company.get(s.cik)?.company_name ?? 'UNKNOWN');
    t.ticker.push(company.get(s.cik)?.ticker ?? '');
    t.report_year[i] = s.year;
    t.section_item.push(s.item);
    t.section_name.push(section.get(s.item)?.section_name ?? s.item);
    t.sentence.push(s.text);
    t.sentence_pos[i] = s.pos;
    t.rowById.set(id, i);
  });
  return t;
}


/** The configured cohere_v4 dimension: the engine checks what the query embedding returns. */
export const DIMS = 1024;

/** Bag-of-words hashing, enough for "the sentence sharing words with the question ranks first". */
export function bagOfWordsEmbedding(text: string): number[] {
  const v = new Array(DIMS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 0;
    for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    v[h % DIMS] += 1;
  }
  return v;
}

/** A DataLoader over an in-memory sentences table, its vectors from bagOfWordsEmbedding. */
export function memoryLoader(table: SentencesTable, overrides: Partial<DataLoader> = {}): DataLoader {
  const vectors = new Float32Array(table.count * DIMS);
  table.sentence.forEach((s, i) => vectors.set(normalised(bagOfWordsEmbedding(s)), i * DIMS));
  const kpiFacts = KPI_LABELS.map((k) => ({ ...k, cik: '', cik_int: 0, ticker: '', year: 0, metric_type: '', value: 0, unit: '', filed_date: '', accession_no: '' }));
  const loader = new InMemoryDataLoader({ sentences: table, embeddings: { model: 'cohere_v4', ids: table.sentenceID, vectors, dims: DIMS, count: table.count }, companies: COMPANIES, sections: SECTIONS, kpiFacts });
  return Object.assign(loader, overrides);
}

/** A Bedrock client stub: InvokeModel embeds with bagOfWordsEmbedding (Cohere's shape), anything else is `converse()`. */
export function stubBedrock(converse: () => Promise<unknown>) {
  const send = vi.fn(async (command: { constructor: { name: string }; input: { body?: string } }) => {
    if (command.constructor.name === 'InvokeModelCommand') {
      const text = (JSON.parse(command.input.body!) as { texts: string[] }).texts[0];
      return { body: new TextEncoder().encode(JSON.stringify({ embeddings: { float: [bagOfWordsEmbedding(text)] } })) };
    }
    return converse();
  });
  return { send } as unknown as BedrockRuntimeClient & { send: typeof send };
}
