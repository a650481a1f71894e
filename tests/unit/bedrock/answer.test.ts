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
    expect(answer.text).toContain(`"${DEBT}" (source: [1] Walmart 10-K 2018, Item 7)`);
    expect(answer.text).not.toContain(STORES);
    expect(answer.quoted.length).toBeLessThanOrEqual(3);
  });

  it('weighs numbers: the sentence with the asked year wins over one without it', () => {
    const y2019 = 'Loss on extinguishment of debt in fiscal 2019 was $0.2 billion.';
    const answer = answerFromContext({ system: `${DEBT}\n${y2019}`, userTexts: ['What was the loss on extinguishment of debt in 2019?'] });
    expect(answer.quoted[0]?.text).toBe(y2019);
  });

  it('says there is no context when the request has none', () => {
    expect(answerFromContext({ system: '', userTexts: ['What was revenue?'] }).text).toBe(NO_CONTEXT_ANSWER);
  });

  it('says the context does not answer when nothing matches', () => {
    expect(answerFromContext({ system: `${DEBT}\n${STORES}`, userTexts: ['Who is the CEO?'] }).text).toBe(NO_MATCH_ANSWER);
  });

  it('uses earlier user messages as context, but never assistant turns (they are not passed in)', () => {
    const answer = answerFromContext({ system: '', userTexts: [STORES, 'How many stores are there?'] });
    expect(answer.quoted[0]?.text).toBe(STORES);
  });
});
