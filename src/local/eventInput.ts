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
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LarderError('EVENT_INVALID', `event from ${name} is not valid JSON: ${(err as Error).message}`);
  }
}
