import { describe, expect, it } from 'vitest';
import { queryError } from '../../../src/rag/answerQuery';
import { LarderError } from '../../../src/errors';
import { parseLoaderCheckEvent } from '../../../src/loader/healthCheck';

describe('error responses say what was wrong without leaking internals', () => {
  it('keeps a Larder error\'s message, code and stage', () => {
    const r = queryError('q?', new LarderError('THROTTLED', 'Bedrock throttled the request', { details: { stage: 'embed' } }));
    expect(r).toEqual({ query: 'q?', answer: null, error: 'Bedrock throttled the request', error_type: 'THROTTLED', stage: 'embed' });
  });

  it('answers a foreign error generically (its message may carry paths or SDK text)', () => {
    const prev = process.env.LARDER_LOG_LEVEL;
    process.env.LARDER_LOG_LEVEL = 'silent';
    try {
      const r = queryError('q?', new TypeError("Cannot read properties of undefined (reading 'x') at /var/task/index.mjs:1:2"));
      expect(r.error_type).toBe('INTERNAL');
      expect(r.error).toBe('internal error during validate');
      expect(JSON.stringify(r)).not.toContain('/var/task');
    } finally {
      process.env.LARDER_LOG_LEVEL = prev;
    }
  });

  it('rejects an empty operations list in the loader check event', () => {
    expect(() => parseLoaderCheckEvent({ operations: [] })).toThrow(/event\.operations: empty/);
    expect(parseLoaderCheckEvent({}).operations).toEqual(['load_all']);
  });
});
