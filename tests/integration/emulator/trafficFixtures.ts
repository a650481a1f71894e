/** Shared by the traffic tests: the traffic fixture template, an emulator with a record file and a data folder. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator, type EmulatorOptions } from '../../../src/local/emulator';
import { asyncStatePaths } from '../../../src/local/trafficSettings';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import type { RunningServer } from '../../../src/local/httpServer';

export const TRAFFIC_TEMPLATE = resolve(import.meta.dirname, '../../fixtures/traffic/template.yaml');
/** Lambda's one-minute retry becomes 60 ms; the six-hour event age 21.6 s. */
export const TEST_TIME_SCALE = 0.001;

export interface TrafficRig {
  emulator: LambdaEmulator;
  lines: string[];
  /** Folder with async-queue/, destinations/, failed-events.jsonl (as under `.larder`). */
  dataDir: string;
  recordFile: string;
  records: () => Array<{ pid: number; time: number; fn: string; event: any }>;
}

/** An emulator over the traffic fixtures whose async state lives in a fresh (or the given) data folder. */
export function trafficEmulator(options: Partial<EmulatorOptions> = {}, reuse?: { dataDir: string; recordFile: string }): TrafficRig {
  const dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'larder-traffic-'));
  const recordFile = reuse?.recordFile ?? join(dataDir, 'records.jsonl');
  const paths = asyncStatePaths(dataDir, '.');
  const template = loadTemplate(TRAFFIC_TEMPLATE);
  const envVars = Object.fromEntries(template.functions.map((f) => [f.logicalId, { RECORD_FILE: recordFile }]));
  const lines: string[] = [];
  const emulator = new LambdaEmulator({
    template,
    envVars,
    log: (line) => lines.push(line),
    sandboxRoot: join(tmpdir(), 'larder-traffic-sandboxes'),
    timeScale: TEST_TIME_SCALE,
    asyncQueueDir: paths.queueDir,
    destinationsDir: paths.destinationsDir,
    failedEventsFile: paths.failedEventsFile,
    idleTimeoutMs: 60_000,
    ...options,
  });
  const records = () => (existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  return { emulator, lines, dataDir, recordFile, records };
}

export function readJsonLines(file: string): any[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

export interface TrafficLambdaApi {
  rig: TrafficRig;
  server: RunningServer;
  /** An SDK client on the local Invoke API: one attempt, so a 429 or an error is seen as it is. */
  client: LambdaClient;
  close(): Promise<void>;
}

/** The traffic fixtures behind the local Lambda Invoke API, with an SDK client pointed at it. */
export async function trafficLambdaApi(options: Partial<EmulatorOptions> = {}): Promise<TrafficLambdaApi> {
  const rig = trafficEmulator(options);
  const server = await startLambdaApiServer({ emulator: rig.emulator, port: 0, log: () => {} });
  const client = new LambdaClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return {
    rig,
    server,
    client,
    async close() {
      client.destroy();
      await server.close();
      await rig.emulator.stop();
    },
  };
}
