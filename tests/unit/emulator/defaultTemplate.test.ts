/** Without --template, a command finds a SAM project's own template first, as `sam` does. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE, findDefaultTemplate } from '../../../src/local/template';

const project = (files: string[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'larder-default-template-'));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'Resources: {}\n');
  }
  return dir;
};

describe('findDefaultTemplate', () => {
  it('picks a SAM project\'s template.yaml over Larder\'s own', () => {
    const dir = project(['template.yaml', DEFAULT_TEMPLATE]);
    expect(findDefaultTemplate(dir)).toBe(resolve(dir, 'template.yaml'));
  });

  it('takes template.yml, then template.json, when there is no template.yaml', () => {
    expect(findDefaultTemplate(project(['template.yml', 'template.json']))).toMatch(/template\.yml$/);
    expect(findDefaultTemplate(project(['template.json']))).toMatch(/template\.json$/);
  });

  it('falls back to lambda_assets/template.yaml in Larder\'s own project', () => {
    const dir = project([DEFAULT_TEMPLATE]);
    expect(findDefaultTemplate(dir)).toBe(resolve(dir, DEFAULT_TEMPLATE));
    expect(findDefaultTemplate(resolve(import.meta.dirname, '../../..'))).toBe(resolve(import.meta.dirname, '../../..', DEFAULT_TEMPLATE));
  });

  it('names lambda_assets/template.yaml when nothing is there, so the error says where it looked', () => {
    const dir = project([]);
    expect(findDefaultTemplate(dir)).toBe(resolve(dir, DEFAULT_TEMPLATE));
  });
});
