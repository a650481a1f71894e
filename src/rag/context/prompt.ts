/** The user message: context blocks, the KPI block, then the question on a "Question:" line. */
export function userMessage(contextText: string, kpiText: string | null, question: string): string {
  const parts = [];
  parts.push(contextText ? `Context from 10-K filings:\n\n${contextText}` : 'Context from 10-K filings: (none found)');
  if (kpiText) parts.push(kpiText);
  parts.push(`Question: ${question}`);
  return parts.join('\n\n');
}
