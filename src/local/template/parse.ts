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
  const doc = parseDocument(text, { customTags: cfnTags(), prettyErrors: true, uniqueKeys: false });
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
