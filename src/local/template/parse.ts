/**
 * Template text → plain data, as leniently as SAM CLI reads it: YAML with CloudFormation's short
 * intrinsic tags (`!Ref X` → `{Ref: X}`), a duplicate key accepted with the last value winning (what
 * PyYAML does) plus a warning naming its path, and JSON (`cdk synth` output) read as JSON.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type CollectionTag, type Node, type ScalarTag } from 'yaml';
import { LarderError } from '../../errors';

const SHORT_TAGS = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Equals', 'Not', 'And', 'Or', 'Split', 'FindInMap',
  'Base64', 'GetAZs', 'ImportValue', 'Cidr', 'Transform', 'Length', 'ToJsonString',
];

/** Custom YAML tags for CloudFormation's short intrinsic forms: `!Ref X` → `{Ref: X}` etc. */
function cfnTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const name of SHORT_TAGS) {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const toValue = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? splitGetAtt(value) : value });
    tags.push({ tag: `!${name}`, resolve: (str: string) => toValue(str) } as ScalarTag);
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq: any) => toValue(seq.toJSON()) } as CollectionTag);
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map: any) => toValue(map.toJSON()) } as CollectionTag);
  }
  return tags;
}

/** `!GetAtt A.B.C` → ['A', 'B.C'] (attribute names may contain dots, e.g. Endpoint.Address). */
function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/**
 * Parses template text to plain data with intrinsics as `{Ref: …}` / `{"Fn::Sub": …}` objects.
 * Lenient readings (duplicate keys) are appended to `warnings` when given.
 */
export function parseTemplateText(text: string, source: string, warnings: string[] = []): Record<string, any> {
  const data = /^\s*\{/.test(text) ? parseJson(text, source) ?? parseYaml(text, source, warnings) : parseYaml(text, source, warnings);
  if (!data || typeof data !== 'object' || Array.isArray(data) || !data.Resources || typeof data.Resources !== 'object') {
    throw new LarderError('TEMPLATE_INVALID', `${source}: not a CloudFormation/SAM template (no Resources section)`);
  }
  return data;
}

function parseJson(text: string, _source: string): Record<string, any> | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // Not strict JSON (comments, a trailing comma): YAML reads it or says what is wrong.
  }
}

function parseYaml(text: string, source: string, warnings: string[]): Record<string, any> {
  let doc = parseDocument(text, { customTags: cfnTags(), prettyErrors: true, uniqueKeys: false });
  if (doc.errors.some((e) => e.code === 'BAD_INDENT')) {
    // PyYAML accepts a flow collection ({…} / […]) whose continuation lines are not indented past
    // its key; YAML 1.2 does not. Re-indent those lines and try again, saying so.
    const repaired = reindentFlowCollections(text);
    const retry = parseDocument(repaired.text, { customTags: cfnTags(), prettyErrors: true, uniqueKeys: false });
    if (!retry.errors.length) {
      doc = retry;
      for (const line of repaired.lines) warnings.push(`${source}: line ${line}: a flow collection's continuation line is not indented past its key; read as PyYAML reads it`);
    }
  }
  if (doc.errors.length) {
    throw new LarderError('TEMPLATE_INVALID', `${source}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  for (const path of duplicateKeys(doc.contents as Node | null, '')) {
    warnings.push(`${source}: ${path}: duplicate key; the last value wins (as in PyYAML, which SAM uses)`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/** Paths of keys that appear more than once in the same mapping. */
function duplicateKeys(node: Node | null | undefined, path: string, out: string[] = []): string[] {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const here = path ? `${path}.${key}` : key;
      if (seen.has(key)) out.push(here);
      seen.add(key);
      duplicateKeys(item.value as Node, here, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => duplicateKeys(item as Node, `${path}[${i}]`, out));
  }
  return out;
}

/**
 * Indents the continuation lines of block-context flow collections past the line that opened them
 * (two spaces more than its indentation), tracking bracket depth outside quoted strings.
 */
function reindentFlowCollections(text: string): { text: string; lines: number[] } {
  const lines = text.split('\n');
  const changed: number[] = [];
  let depth = 0;
  let minIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (depth > 0) {
      const indent = line.length - line.trimStart().length;
      if (line.trim() && indent < minIndent) {
        lines[i] = ' '.repeat(minIndent) + line.trimStart();
        changed.push(i + 1);
      }
    } else {
      minIndent = line.length - line.trimStart().length + 2;
    }
    depth = Math.max(0, depth + bracketBalance(line));
  }
  return { text: lines.join('\n'), lines: changed };
}

function bracketBalance(line: string): number {
  let balance = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      // A quote opens a string only at a token start (not inside a plain scalar like it's).
      if (i === 0 || /[\s,[{:]/.test(line[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
    else if (c === '{' || c === '[') balance++;
    else if (c === '}' || c === ']') balance--;
  }
  return balance;
}
