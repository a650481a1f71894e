/**
 * The `sam init` corpus (../shared/sam-apps): every template loads and `larder list` answers; the
 * hello / hello-ts / hello-ts-pt / web / sns / sqs / cw-event apps invoke with no edits, with their
 * own events/*.json (web against the shared DynamoDB Local). response-streaming needs Lambda's
 * `awslambda` global, which the sandbox runtime provides once it has landed: until then that test is
 * reported as skipped. A missing corpus fails the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator } from '../../../src/local/emulator';
import { listTemplate } from '../../../src/cli/commands/list';
import { servicesInfo } from '../../setup/services';
import { SAM_APPS, preparedApp, samAppNames } from './samApps';

const ROOT = resolve(import.meta.dirname, '../../..');
const apps = samAppNames();
const emulators: LambdaEmulator[] = [];
const event = (app: string, file: string) => JSON.parse(readFileSync(join(SAM_APPS, app, 'events', file), 'utf8'));
const sandboxHasAwslambda = readFileSync(join(ROOT, 'src/local/sandbox/bootstrap.mjs'), 'utf8').includes('streamifyResponse');

function emulatorFor(dir: string, serviceEnv: Record<string, string> = {}): LambdaEmulator {
  const emulator = new LambdaEmulator({ template: loadTemplate(join(dir, 'template.yaml')), log: () => {}, serviceEnv, asyncRetryAttempts: 0 });
  emulators.push(emulator);
  return emulator;
}

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
});

describe('every sam init template loads and lists', () => {
  it('has the corpus (44 apps)', () => {
    expect(apps.length).toBe(44);
  });

  it.each(apps)('%s', (app) => {
    const template = loadTemplate(join(SAM_APPS, app, 'template.yaml'));
    const listing = listTemplate(template);
    expect(listing.functions.length).toBeGreaterThan(0);
    for (const f of listing.functions) expect(f.runnable || typeof f.reason === 'string').toBe(true);
    expect(listing.resources.length).toBeGreaterThanOrEqual(listing.functions.length);
  });

  it('`larder list --json` prints the specified object', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'list', '-t', join(SAM_APPS, 'nodejs22.x-hello-img/template.yaml'), '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({
      functions: [{ logicalId: 'HelloWorldFunction', runtime: null, handler: null, runnable: false, reason: 'PackageType Image: a container image needs Docker; Larder runs .zip (Node.js) functions' }],
      routes: [{ method: 'GET', path: '/hello', kind: 'rest', auth: 'NONE', function: 'HelloWorldFunction', api: 'ServerlessRestApi' }],
      resources: [{ logicalId: 'HelloWorldFunction', type: 'AWS::Serverless::Function' }],
    });
  }, 30_000);
});

describe('the sam init apps invoke with no edits', () => {
  const versions = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

  it.each(versions.flatMap((v) => [`${v}-hello`, `${v}-hello-ts`]))('%s answers hello world', async (app) => {
    const emulator = emulatorFor(preparedApp(app));
    const result = await emulator.invoke('HelloWorldFunction', event(app, 'event.json'));
    expect(result.functionError, result.payload.slice(0, 300)).toBeUndefined();
    expect(JSON.parse(JSON.parse(result.payload).body)).toEqual({ message: 'hello world' });
  }, 60_000);

  it.each(versions.flatMap((v) => [[`${v}-sns`, 'SNSPayloadLogger', 'event-sns.json'], [`${v}-sqs`, 'SQSPayloadLogger', 'event-sqs.json'], [`${v}-cw-event`, 'ScheduledEventLogger', 'event-cloudwatch-event.json']]))('%s: %s logs its event', async (app, fn, file) => {
    const emulator = emulatorFor(preparedApp(app));
    const result = await emulator.invoke(fn, event(app, file));
    expect(result.functionError, result.payload.slice(0, 300)).toBeUndefined();
    expect(result.logLines.join('\n')).toMatch(/START RequestId[\s\S]*REPORT RequestId/);
  }, 60_000);

  it('nodejs22.x-hello-ts-pt (Powertools, esbuild Metadata) runs from sources with its own dependencies', async () => {
    const emulator = emulatorFor(preparedApp('nodejs22.x-hello-ts-pt'));
    const result = await emulator.invoke('HelloWorldFunction', event('nodejs22.x-hello-ts-pt', 'event.json'));
    expect(result.functionError, result.payload.slice(0, 300)).toBeUndefined();
    expect(JSON.parse(JSON.parse(result.payload).body)).toEqual({ message: 'hello world' });
    expect(result.logLines.join('\n')).toContain('"service":"helloWorld"');
  }, 360_000);

  describe('nodejs22.x-web against DynamoDB Local', () => {
    let dir = '';
    let env: Record<string, string> = {};
    beforeAll(async () => {
      dir = preparedApp('nodejs22.x-web');
      env = servicesInfo().env;
      const ddb = new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        // The table the template declares (SimpleTable SampleTable: key id, a string).
        await ddb.send(new CreateTableCommand({ TableName: 'SampleTable', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
      } catch (err) {
        if (!(err instanceof ResourceInUseException)) throw err;
      } finally {
        ddb.destroy();
      }
    }, 360_000);

    it('puts an item, gets it by id, and lists it', async () => {
      const emulator = emulatorFor(dir, env);
      const put = await emulator.invoke('putItemFunction', event('nodejs22.x-web', 'event-post-item.json'));
      expect(put.functionError, put.payload.slice(0, 300)).toBeUndefined();
      expect(JSON.parse(put.payload).statusCode).toBe(200);
      const got = await emulator.invoke('getByIdFunction', event('nodejs22.x-web', 'event-get-by-id.json'));
      expect(JSON.parse(JSON.parse(got.payload).body)).toEqual({ id: 'id1', name: 'name1' });
      const all = await emulator.invoke('getAllItemsFunction', event('nodejs22.x-web', 'event-get-all-items.json'));
      expect(JSON.parse(JSON.parse(all.payload).body)).toContainEqual({ id: 'id1', name: 'name1' });
    }, 60_000);
  });

  it.skipIf(!sandboxHasAwslambda)('nodejs22.x-response-streaming streams its chunks (needs the sandbox\'s awslambda global)', async () => {
    const emulator = emulatorFor(preparedApp('nodejs22.x-response-streaming'));
    const result = await emulator.invoke('StreamingFunction', {});
    expect(result.functionError, result.payload.slice(0, 300)).toBeUndefined();
  }, 60_000);

  it('nodejs22.x-response-streaming is runnable per its template (its streaming needs the runtime half of issue 9)', () => {
    const t = loadTemplate(join(SAM_APPS, 'nodejs22.x-response-streaming/template.yaml'));
    expect(t.functions[0]).toMatchObject({ logicalId: 'StreamingFunction', functionUrlConfig: { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' } });
    expect(existsSync(join(SAM_APPS, 'nodejs22.x-response-streaming/src/index.js'))).toBe(true);
  });
});
