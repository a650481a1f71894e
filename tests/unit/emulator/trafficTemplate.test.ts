/** The traffic fixture template is a valid SAM template for AWS's own linter, not only for our reader. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEMPLATE = resolve(import.meta.dirname, '../../fixtures/traffic/template.yaml');
const cfnLint = (() => {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('tests/fixtures/traffic/template.yaml', () => {
  it.skipIf(!cfnLint)('passes cfn-lint (what `sam validate --lint` runs) with no findings', () => {
    const out = execFileSync('cfn-lint', ['--format', 'parseable', TEMPLATE], { encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });
});
