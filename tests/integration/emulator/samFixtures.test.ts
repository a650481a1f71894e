/**
 * The fixture SAM apps of tests/fixtures/sam/ run under the emulator with no edits: a function of
 * every kind (Serverless, InlineCode, Lambda ZipFile, a cdk synth asset, a `sam build` output), the
 * resolved intrinsics as the function sees them, TypeScript built as `sam build` (esbuild) builds it,
 * and runnable functions beside ones Larder cannot run. No AWS service is called.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator } from '../../../src/local/emulator';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/sam');
const emulators: LambdaEmulator[] = [];
const work = mkdtempSync(join(tmpdir(), 'larder-sam-fixtures-'));

function emulatorFor(templatePath: string, log: string[] = []): LambdaEmulator {
  const emulator = new LambdaEmulator({ template: loadTemplate(templatePath), log: (l) => log.push(l), sandboxRoot: join(work, 'sandboxes'), asyncRetryAttempts: 0 });
  emulators.push(emulator);
  return emulator;
}

async function invokeOk(emulator: LambdaEmulator, name: string, event: unknown = {}) {
  const result = await emulator.invoke(name, event);
  expect(result.functionError, result.payload.slice(0, 400)).toBeUndefined();
  return JSON.parse(result.payload);
}

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  rmSync(work, { recursive: true, force: true });
});

describe('the SAM fixtures run', () => {
  it('every function kind: Serverless, InlineCode, AWS::Lambda::Function ZipFile', async () => {
    const emulator = emulatorFor(join(FIXTURES, 'every-function/template.yaml'));
    expect(await invokeOk(emulator, 'ServerlessFunction', { n: 1 })).toEqual({ kind: 'AWS::Serverless::Function', echo: { n: 1 } });
    expect(await invokeOk(emulator, 'InlineFunction', { n: 2 })).toEqual({ kind: 'InlineCode', echo: { n: 2 } });
    expect(await invokeOk(emulator, 'ZipFileFunction', { n: 3 })).toEqual({ kind: 'ZipFile', name: 'ZipFileFunction', echo: { n: 3 } });
  }, 60_000);

  it('a cdk synth stack (JSON, Code in S3 with Metadata aws:asset:path) runs from its asset folder', async () => {
    // A copy: the asset gets a package.json (commonjs) because this repo's package.json says "type": "module".
    cpSync(join(FIXTURES, 'cdk-synth'), join(work, 'cdk-synth'), { recursive: true });
    const emulator = emulatorFor(join(work, 'cdk-synth/HelloCdkStack.template.json'));
    expect(await invokeOk(emulator, 'HelloHandler2E4FBA4D', { hi: true })).toEqual({ greeting: 'hello from cdk', table: 'GreetingsTable6EF9A2B1', echo: { hi: true } });
  }, 30_000);

  it('a `sam build` output template runs the built JavaScript, though its Metadata still names app.ts', async () => {
    cpSync(join(FIXTURES, 'sam-build-output'), join(work, 'sam-build-output'), { recursive: true });
    const emulator = emulatorFor(join(work, 'sam-build-output/template.yaml'));
    expect(await invokeOk(emulator, 'HelloFunction')).toEqual({ statusCode: 200, body: JSON.stringify({ message: 'hello from the sam build output' }) });
  }, 30_000);

  it('the function sees the intrinsics resolved with SAM\'s local values', async () => {
    const env = await invokeOk(emulatorFor(join(FIXTURES, 'intrinsics/template.yaml')), 'EchoEnvFunction');
    expect(env).toMatchObject({ LOG_LEVEL: 'debug', STACK_NAME: 'local', QUEUE_NAME: 'work-dev', CIDR_BLOCK: '10.0.1.0/24', SUBSTITUTED: 'local-dev-work-dev' });
    expect(env.PROD_ONLY).toBeUndefined();
  }, 30_000);

  it('TypeScript with BuildMethod esbuild runs what `sam build` would build (JSON import, CommonJS require cycle), and picks up an edit', async () => {
    const app = join(work, 'esbuild-ts');
    cpSync(join(FIXTURES, 'esbuild-ts'), app, { recursive: true });
    const emulator = emulatorFor(join(app, 'template.yaml'));
    const first = await invokeOk(emulator, 'TsFunction', { name: 'larder' });
    expect(JSON.parse(first.body)).toEqual({ greeting: 'hello larder', ping: 'a+b', built: true });
    expect(existsSync(join(app, 'src/node_modules/.cache/larder/TsFunction/latest.json'))).toBe(true);
    cpSync(join(app, 'src/settings.json'), join(app, 'src/settings.orig.json'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(app, 'src/settings.json'), '{ "greeting": "hi" }');
    const edited = await emulator.invoke('TsFunction', { name: 'again' }, { cold: true });
    expect(JSON.parse(JSON.parse(edited.payload).body).greeting).toBe('hi again');
  }, 60_000);

  it('runnable functions run beside ones Larder cannot run; nodejs18.x runs with a deprecation warning', async () => {
    const log: string[] = [];
    const template = join(FIXTURES, 'other-runtimes/template.yaml');
    const emulator = emulatorFor(template, log);
    // The Node it runs on depends on what is installed (host, LARDER_NODE_<MAJOR>, `larder runtimes install`).
    expect((await invokeOk(emulator, 'NodeFunction')).node).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await invokeOk(emulator, 'Node18Function')).node).toMatch(/^\d+\.\d+\.\d+$/);
    expect(loadTemplate(template).warnings.join('\n')).toMatch(/Node18Function: Runtime nodejs18.x is deprecated by Lambda/);
    await expect(emulator.invoke('PythonFunction', {})).rejects.toThrow(/cannot run here: Runtime python3.13 is not a Node.js runtime/);
  }, 60_000);
});
