/**
 * Reads the event for `larder invoke -e FILE | -e -`: a JSON file or standard input. A malformed
 * event fails with EVENT_INVALID naming the file and where the JSON broke; nothing is invoked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { LarderError } from '../errors';

export async function readEvent(source: string | undefined, stdin: NodeJS.ReadableStream = process.stdin): Promise<unknown> {
  if (source === undefined) return {};
  let text: string;
  let name: string;
  if (source === '-') {
    name = 'standard input';
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    name = source;
    if (!existsSync(source)) throw new LarderError('EVENT_INVALID', `event file ${source} not found`);
    text = readFileSync(source, 'utf8');
  }
  if (!text.trim()) throw new LarderError('EVENT_INVALID', `event from ${name} is empty; pass a JSON document (use {} for an empty event)`);
  const depth = jsonNestingDepth(text);
  if (depth > MAX_EVENT_DEPTH) throw new LarderError('EVENT_INVALID', `event from ${name} nests ${depth} levels deep; at most ${MAX_EVENT_DEPTH} are accepted`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LarderError('EVENT_INVALID', `event from ${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Events nested deeper than this are refused before parsing: JSON.parse/stringify recurse, and a
 * payload of a few thousand `[` would otherwise end as "Maximum call stack size exceeded" (a 500)
 * somewhere between the server and the sandbox. Real events nest a few dozen levels at most.
 */
export const MAX_EVENT_DEPTH = 512;

/** The deepest nesting of arrays/objects in JSON text, counted without parsing (strings skipped). */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123 /* [ { */) {
      if (++depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}
