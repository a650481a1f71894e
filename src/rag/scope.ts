/**
 * Is a question something 10-K filings can answer? A question that names no company, SEC section or
 * KPI metric, and none of the words filings are about, is out of scope (a year alone does not count): "What is the
 * meaning of life?" must answer "not found" with no sources, not quotes about "useful life" and life
 * insurance, which is what an unfiltered nearest-neighbour search returns for anything.
 *
 * The vocabulary is deliberately broad (a false "in scope" costs one answer that says the context does
 * not answer; a false "out of scope" hides real evidence). "capital" alone is not in it ("the capital
 * of France"); "capital expenditures", "working capital" and the like are.
 */
import type { QuestionEntities } from './entities';

const FILING_WORDS = new RegExp(
  '\\b(' +
    [
      'revenues?', 'sales', 'income', 'earnings?', 'profits?', 'loss(es)?', 'margins?', 'cash', 'debt', 'borrow\\w*', 'liabilit\\w*', 'assets?',
      'equity', 'dividends?', 'shares?', 'stock\\w*', 'buybacks?', 'repurchas\\w*', 'expenditures?', 'capex', 'expenses?', 'costs?', 'tax\\w*',
      'risks?', 'regulat\\w*', 'compet\\w*', 'supply', 'suppl(y|ier|iers)', 'customers?', 'employees?', 'workforce', 'segments?', 'acquisitions?',
      'mergers?', 'litigation', 'lawsuits?', 'legal', 'patents?', 'intellectual', 'cyber\\w*', 'breach\\w*', 'liquidity', 'credit', 'interest',
      'inflation', 'currenc\\w*', 'exchange', 'pensions?', 'goodwill', 'impairment\\w*', 'leases?', 'guidance', 'outlook', 'strateg\\w*',
      'growth', 'grew', 'markets?', 'products?', 'business\\w*', 'operations?', 'operating', '10-?k', 'filings?', 'annual report', 'fiscal',
      'quarters?', 'sec', 'management', 'board', 'executives?', 'compensation', 'climate', 'environmental', 'esg', 'pandemic', 'covid\\w*',
      'tariffs?', 'manufactur\\w*', 'inventor(y|ies)', 'stores?', 'subscribers?', 'members(hip)?', 'investments?', 'capital (expenditures?|resources|allocation|structure|returns?)',
      'working capital', 'financial\\w*', 'accounting', 'audit\\w*', 'insurance', 'premiums?', 'loans?', 'reserves?', 'properties', 'facilities',
      'research', 'development', 'r&d', 'pricing', 'demand', 'semiconductors?', 'data centers?', 'cloud', 'advertising', 'payments?', 'vehicles?',
      'drugs?', 'pharmaceutical\\w*', 'oil', 'gas', 'retail\\w*', 'companies', 'company', 'firms?', 'corporat\\w*',
    ].join('|') +
    ')\\b',
  'i',
);

/** Why the question is out of scope, or null when it is in scope. */
export function outOfScopeReason(question: string, e: QuestionEntities): string | null {
  // A year alone does not make a question about filings ("Who won the World Cup in 2018?").
  if (e.companies.length || e.sections.length || e.metrics.length) return null;
  if (FILING_WORDS.test(question)) return null;
  return 'the question names no company, year, filing section or financial topic that the 10-K filings cover';
}

export const NOT_FOUND_ANSWER = 'Not found: the 10-K filings in the data do not address this question. Ask about the companies in the data (e.g. Walmart, NVIDIA, Netflix) and their filings: results, risks, business, fiscal years 2006–2025.';
