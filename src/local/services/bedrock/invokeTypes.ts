/** What an InvokeModel handler returns: the JSON response body and the token counts for the headers. */
export interface InvokeResult {
  body: unknown;
  inputTokens: number;
  outputTokens: number;
}
