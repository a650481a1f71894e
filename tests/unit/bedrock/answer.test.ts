/** The extractive answerer: finding the question, cutting context into sentences, choosing quotes. */
import { describe, expect, it } from 'vitest';
import { NO_CONTEXT_ANSWER, NO_MATCH_ANSWER, answerFromContext, splitContext, splitQuestion } from '../../../src/local/services/bedrock/answer';

const DEBT = 'For fiscal 2018, loss on extinguishment of debt was $3.1 billion, due to the early extinguishment of long-term debt.';
const CASH = 'Net cash used in financing activities for fiscal 2018 increased due to premiums paid for early extinguishment of debt.';
const STORES = 'We operate 5,000 stores in the United States.';

describe('splitQuestion', () => {
  it('takes the text after a "Question:" label, up to the next blank line', () => {
    const { question, context } = splitQuestion(`Context:\n${DEBT}\n\nQuestion: What was the loss\non debt?\n\nAnswer briefly.`);
    expect(question).toBe('What was the loss on debt?');
    expect(context).toContain(DEBT);
    expect(context).toContain('Answer briefly.');
  });

  it('reads a <question> tag', () => {
    expect(splitQuestion(`<context>${STORES}</context><question>How many stores?</question>`)).toEqual({
      question: 'How many stores?',
      context: `<context>${STORES}</context> `,
    });
  });

  it('falls back to the last paragraph that asks something', () => {
    const { question, context } = splitQuestion(`${DEBT}\n\nHow large was the loss?\n\nBe concise.`);
    expect(question).toBe('How large was the loss?');
    expect(context).toContain(DEBT);
  });

  it('treats a single paragraph as the whole question', () => {
    expect(splitQuestion('How many stores?')).toEqual({ question: 'How many stores?', context: '' });
  });
});

describe('splitContext', () => {
  it('splits lines into sentences and keeps "$3.1 billion" whole', () => {
    expect(splitContext(`${DEBT} ${STORES}`).map((s) => s.text)).toEqual([DEBT, STORES]);
  });

  it('remembers the header of each block in its common forms', () => {
    const text = [
      '[1] Walmart Inc. 10-K 2018, ITEM_7',
      DEBT,
      '[2] Apple 10-K: Revenue grew 5%.',
      '## Target 10-K 2019',
      STORES,
      'Source: Exxon 10-K 2008',
      CASH,
      '<document source="msft-2020">Cloud revenue grew.</document>',
      '=== AAPL 10-K 2021 ===',
      'iPhone sales rose.',
      'WMT | Walmart Inc. | FY2019 | ITEM_7 | sentences 10-12',
      'Comparable sales grew.',
    ].join('\n');
    expect(splitContext(text)).toEqual([
      { text: DEBT, header: '[1] Walmart Inc. 10-K 2018, ITEM_7' },
      { text: 'Revenue grew 5%.', header: '[2] Apple 10-K' },
      { text: STORES, header: 'Target 10-K 2019' },
      { text: CASH, header: 'Exxon 10-K 2008' },
      { text: 'Cloud revenue grew.', header: 'source=msft-2020' },
      { text: 'iPhone sales rose.', header: 'AAPL 10-K 2021' },
      { text: 'Comparable sales grew.', header: 'WMT | Walmart Inc. | FY2019 | ITEM_7 | sentences 10-12' },
    ]);
  });
});

describe('answerFromContext on the query handler\'s prompt (src/rag/context)', () => {
  it('cites the numbered block header and quotes KPI lines', () => {
    const section = "Management's Discussion and Analysis of Financial Condition and Results of Operations";
    const user = [
      'Context from 10-K filings:',
      '',
      `[1] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | ${section} | sentences 140–145`,
      DEBT,
      CASH,
      '',
      `[2] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | Business | sentences 3–4`,
      STORES,
      '',
      '[KPI] Reported XBRL facts (SEC EDGAR)',
      'WMT FY2018 Revenues: 500,343,000,000 USD',
      '',
      'Question: What was the loss on extinguishment of debt in fiscal 2018?',
    ].join('\n');
    const answer = answerFromContext({ system: 'You are a financial analyst.', userTexts: [user] });
    expect(answer.quoted[0]).toMatchObject({ text: DEBT, header: `[1] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | ${section} | sentences 140–145` });
    const kpi = answerFromContext({ system: '', userTexts: [user.replace(/Question: .*/, 'Question: What were Walmart revenues in FY2018?')] });
    expect(kpi.quoted[0]).toMatchObject({ text: 'WMT FY2018 Revenues: 500,343,000,000 USD', header: '[KPI] Reported XBRL facts (SEC EDGAR)' });
  });
});

describe('answerFromContext', () => {
  it('quotes the best sentence first, with its header, and runners-up that score close to it', () => {
    const answer = answerFromContext({
      system: '',
      userTexts: [`[1] Walmart 10-K 2018, Item 7\n${DEBT}\n${CASH}\n[2] Walmart 10-K 2018, Item 1\n${STORES}\n\nQuestion: What was the loss on extinguishment of debt?`],
    });
    expect(answer.question).toBe('What was the loss on extinguishment of debt?');
    expect(answer.quoted[0]?.text).toBe(DEBT);
    expect(answer.text).toContain(`"${DEBT}" [1]`);
    expect(answer.text).not.toContain(STORES);
    expect(answer.quoted.length).toBeLessThanOrEqual(3);
  });

  it('weighs numbers: the sentence with the asked year wins over one without it', () => {
    const y2019 = 'Loss on extinguishment of debt in fiscal 2019 was $0.2 billion.';
    const answer = answerFromContext({ system: '', userTexts: [`${DEBT}\n${y2019}\n\nQuestion: What was the loss on extinguishment of debt in 2019?`] });
    expect(answer.quoted[0]?.text).toBe(y2019);
  });

  it('says there is no context when the request has none', () => {
    expect(answerFromContext({ system: '', userTexts: ['What was revenue?'] }).text).toBe(NO_CONTEXT_ANSWER);
  });

  it('says the context does not answer when nothing matches', () => {
    expect(answerFromContext({ system: '', userTexts: [`${DEBT}\n${STORES}\n\nQuestion: Who is the CEO?`] }).text).toBe(NO_MATCH_ANSWER);
  });

  it('uses earlier user messages as context, but never assistant turns (they are not passed in)', () => {
    const answer = answerFromContext({ system: '', userTexts: [STORES, 'How many stores are there?'] });
    expect(answer.quoted[0]?.text).toBe(STORES);
  });
});

describe('answerFromContext stays grounded (issue 13)', () => {
  const SYSTEM = "You are a financial analyst answering questions about companies' SEC 10-K filings.\nRules:\n- When the question spans several companies or years, answer for each one the context covers and say which ones it does not.";
  const RISK22 = 'We may also experience contractual disputes due to supply chain delays arising from climate change-related disruptions.';
  const prompt = (question: string, blocks: string[]) => `Context from 10-K filings:\n\n${blocks.join('\n\n')}\n\nQuestion: ${question}`;

  it('never quotes the system prompt, even when its words match the question best', () => {
    const user = prompt('Which supply chain risks does the context cover?', [`[1] NVDA | NVIDIA CORP | FY2022 | d | Item 1A: Risk Factors | sentence 135\n${RISK22}`]);
    const answer = answerFromContext({ system: SYSTEM, userTexts: [user] });
    expect(answer.text).not.toMatch(/financial analyst|say which ones|context covers/);
    expect(answer.quoted.map((q) => q.text)).toEqual([RISK22]);
  });

  it('quotes a sentence repeated in two filings once, cited by the first block it appears in', () => {
    const user = prompt('What supply chain risks did NVIDIA describe?', [
      `[1] NVDA | NVIDIA CORP | FY2022 | d22 | Item 1A: Risk Factors | sentence 135\n${RISK22}`,
      `[2] NVDA | NVIDIA CORP | FY2023 | d23 | Item 1A: Risk Factors | sentence 216\n${RISK22}`,
    ]);
    const answer = answerFromContext({ system: '', userTexts: [user] });
    expect(answer.quoted).toHaveLength(1);
    expect(answer.text).toBe(`Based on the provided context:\n"${RISK22}" [1]`);
  });

  it('never quotes the question, nor a preamble before the first block', () => {
    const question = 'What supply chain risks did NVIDIA describe in its 10-K?';
    const user = `Use only the supply chain risks NVIDIA describes below.\n\n[1] NVDA | NVIDIA CORP | FY2022 | d | Item 1A: Risk Factors | sentence 1\n${question}\n${RISK22}\n\nQuestion: ${question}`;
    const answer = answerFromContext({ system: '', userTexts: [user] });
    expect(answer.quoted.map((q) => q.text)).toEqual([RISK22]);
  });

  it('quotes evidence for each company the question names when different blocks carry them', () => {
    const amzn = 'Net sales increased 22% in 2021 compared to the prior year.';
    const wmt = 'Consolidated net sales increased $4.3 billion in fiscal 2021.';
    const wmt2 = 'Net sales increased in fiscal 2021 due to comparable sales growth of 6.4% and net sales growth in International.';
    const user = prompt('Compare Amazon and Walmart net sales growth in 2021', [
      `[1] WMT | Walmart Inc. | FY2021 | w | Item 7: MD&A | sentences 1–2\n${wmt}\n${wmt2}`,
      `[2] AMZN | AMAZON COM INC | FY2021 | a | Item 7: MD&A | sentence 9\n${amzn}`,
    ]);
    const answer = answerFromContext({ system: '', userTexts: [user] });
    expect(answer.text).toContain(`"${amzn}" [2]`);
    expect(answer.text).toMatch(/\[1\]/);
  });

  it('says the context does not answer when the question shares too little with it', () => {
    const user = prompt('What is the meaning of life?', [`[1] GNW | GENWORTH FINANCIAL INC | FY2012 | g | Item 7 | sentence 3\nOur life insurance business increased $40 million.`]);
    expect(answerFromContext({ system: '', userTexts: [user] }).text).toBe(NO_MATCH_ANSWER);
  });
});
