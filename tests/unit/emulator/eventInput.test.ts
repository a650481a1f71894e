import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { jsonNestingDepth, readEvent } from '../../../src/local/eventInput';

describe('reading the event for larder invoke', () => {
  it('defaults to {} and reads standard input for "-"', async () => {
    expect(await readEvent(undefined)).toEqual({});
    expect(await readEvent('-', Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]))).toEqual({ a: 1 });
  });
  it('refuses empty and malformed input with EVENT_INVALID, naming the source', async () => {
    await expect(readEvent('-', Readable.from([Buffer.from('  ')]))).rejects.toMatchObject({ code: 'EVENT_INVALID', message: expect.stringMatching(/standard input is empty/) });
    await expect(readEvent('-', Readable.from([Buffer.from('{"a": }')]))).rejects.toMatchObject({ code: 'EVENT_INVALID', message: expect.stringMatching(/standard input is not valid JSON/) });
  });
});

describe('event nesting depth', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonNestingDepth('{"s":"[[[[{{{{\\"[["}')).toBe(1);
    expect(jsonNestingDepth('1')).toBe(0);
  });
  it('refuses a deeper event from invoke -e with the depth in the message', async () => {
    await expect(readEvent('-', Readable.from(['['.repeat(600) + ']'.repeat(600)]))).rejects.toThrow(/nests 600 levels deep; at most 512/);
  });
});
