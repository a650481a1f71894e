/**
 * cfn-lint (what `sam validate --lint` runs; a client nobody here wrote) accepts every fixture template
 * of tests/fixtures/sam/ and the emulator's own fixture, so the fixtures are templates real users could
 * deploy, not shapes only our reader accepts. Skipped (and reported so) where cfn-lint is not installed.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/sam');
const hasCfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

function fixtureTemplates(): string[] {
  const out: string[] = [];
  for (const app of readdirSync(FIXTURES)) {
    const dir = join(FIXTURES, app);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) if (/^template\.ya?ml$|\.template\.json$/.test(f)) out.push(join(dir, f));
  }
  return out.sort();
}

describe('cfn-lint accepts every fixture template', () => {
  const templates = fixtureTemplates();
  it('finds one template per fixture app', () => {
    expect(templates.length).toBeGreaterThanOrEqual(7);
  });

  it.skipIf(!hasCfnLint)('reports no error, warning or informational finding', () => {
    let output = '';
    try {
      output = execFileSync('cfn-lint', ['--format', 'parseable', ...templates], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' } });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output.trim(), 'cfn-lint findings').toBe('');
  }, 150_000);
});
