/**
 * The ECE 461 OpenAPI spec's component schemas as ajv validators (YAML loaded with `yaml`, $refs
 * resolved by ajv against the spec document). Used by the unit and integration registry tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const SPEC_PATH = resolve(import.meta.dirname, 'fixtures/ece461_fall_2025_openapi_spec_v3.4.4.yaml');

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv) return ajv;
  const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  // OpenAPI 3.0 schemas carry `example`, `readOnly` and formats such as `double`: not errors.
  ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  for (const f of ['double', 'float', 'int32', 'int64']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'spec', components: spec.components });
  return ajv;
}

/** Validation errors of `data` against a component schema (or an array of it); [] when valid. */
export function specErrors(schema: string | { arrayOf: string }, data: unknown): string[] {
  const ref = { $ref: `spec#/components/schemas/${typeof schema === 'string' ? schema : schema.arrayOf}` };
  const validate = instance().compile(typeof schema === 'string' ? ref : { type: 'array', items: ref });
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
