/**
 * `larder build` writes what `sam build` writes: `<build-dir>/<LogicalId>/` per function and layer and
 * a template.yaml pointing at them, which cfn-lint accepts and the emulator runs. Nothing of Larder's
 * (ml_config.yaml) ends up in a user's build.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadTemplate } from '../../../src/local/template';
import { buildTemplate } from '../../../src/local/templateBuild';
import { LambdaEmulator } from '../../../src/local/emulator';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'tests/fixtures/sam');
const work = mkdtempSync(join(tmpdir(), 'larder-template-build-'));
const emulators: LambdaEmulator[] = [];
const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  rmSync(work, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)).map((f) => `${e}/${f}`) : [e]));
}

describe('larder build', () => {
  it('builds esbuild, plain and inline functions and a layer into SAM\'s .aws-sam/build layout, and the built template runs', async () => {
    const app = join(work, 'app');
    cpSync(join(FIXTURES, 'every-function'), app, { recursive: true });
    const buildDir = join(app, '.aws-sam/build');
    // Through the CLI, as a user runs it.
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'build', '-t', join(app, 'template.yaml'), '--build-dir', buildDir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/function\s+ServerlessFunction\s+copy/);
    expect(out).toMatch(/function\s+InlineFunction\s+inline code, left in the template/);
    expect(out).toMatch(/layer\s+GreetingLayer\s+copy/);

    expect(readdirSync(buildDir).sort()).toEqual(['GreetingLayer', 'ServerlessFunction', 'template.yaml']);
    expect(files(join(buildDir, 'GreetingLayer'))).toEqual(['nodejs/node_modules/greeting/index.js', 'nodejs/node_modules/greeting/package.json']);
    const built = parse(readFileSync(join(buildDir, 'template.yaml'), 'utf8'));
    expect(built.Resources.ServerlessFunction.Properties.CodeUri).toBe('ServerlessFunction');
    expect(built.Resources.ServerlessFunction.Metadata.SamResourceId).toBe('ServerlessFunction');
    expect(built.Resources.GreetingLayer.Properties.ContentUri).toBe('GreetingLayer');
    expect(built.Resources.InlineFunction.Properties.InlineCode).toContain('InlineCode');
    expect(typeof built.AWSTemplateFormatVersion).toBe('string');

    const emulator = new LambdaEmulator({ template: loadTemplate(join(buildDir, 'template.yaml')), log: () => {}, asyncRetryAttempts: 0 });
    emulators.push(emulator);
    for (const [fn, kind] of [['ServerlessFunction', 'AWS::Serverless::Function'], ['InlineFunction', 'InlineCode'], ['ZipFileFunction', 'ZipFile']]) {
      const result = await emulator.invoke(fn, {});
      expect(JSON.parse(result.payload).kind, result.payload.slice(0, 200)).toBe(kind);
    }
  }, 60_000);

  it('bundles a TypeScript function with esbuild as `sam build` does, without Larder\'s config', async () => {
    const app = join(work, 'ts');
    cpSync(join(FIXTURES, 'esbuild-ts'), app, { recursive: true });
    const buildDir = join(app, '.aws-sam/build');
    const built = await buildTemplate(loadTemplate(join(app, 'template.yaml')), { buildDir });
    expect(built).toEqual([{ logicalId: 'TsFunction', kind: 'function', method: 'esbuild', dir: join(buildDir, 'TsFunction') }]);
    expect(files(join(buildDir, 'TsFunction'))).toEqual(['app.js']);
    expect(existsSync(join(buildDir, 'TsFunction', 'ml_config.yaml'))).toBe(false);

    const emulator = new LambdaEmulator({ template: loadTemplate(join(buildDir, 'template.yaml')), log: () => {}, asyncRetryAttempts: 0 });
    emulators.push(emulator);
    const result = await emulator.invoke('TsFunction', { name: 'build' });
    expect(JSON.parse(JSON.parse(result.payload).body)).toEqual({ greeting: 'hello build', ping: 'a+b', built: true });
  }, 60_000);

  it.skipIf(!hasCfnLint)('writes built templates cfn-lint accepts', () => {
    const templates = ['app', 'ts'].map((a) => join(work, a, '.aws-sam/build/template.yaml'));
    for (const t of templates) expect(existsSync(t), t).toBe(true);
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', ...templates], { encoding: 'utf8', timeout: 120_000 });
    expect(lint.stdout.trim(), 'cfn-lint findings').toBe('');
  }, 150_000);
});
