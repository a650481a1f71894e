/**
 * The emulator's traffic settings shared by `invoke`, `start`, `start-api` and `start-lambda`
 * (`--time-scale`, `--max-concurrency`), and where the async queue's state lives on disk — one
 * place, so the commands that write it and `larder events`, which reads it, agree.
 */
import { join, resolve } from 'node:path';
import { LarderError } from '../errors';

export interface TrafficSettings {
  timeScale: number;
  maxConcurrency?: number;
}

export function parseTrafficArgs(args: { 'time-scale'?: string; 'max-concurrency'?: string }): TrafficSettings {
  const timeScale = Number(args['time-scale'] ?? 1);
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new LarderError('VALIDATION', `--time-scale: expected a number > 0, found "${args['time-scale']}"`);
  let maxConcurrency: number | undefined;
  if (args['max-concurrency'] !== undefined) {
    maxConcurrency = Number(args['max-concurrency']);
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new LarderError('VALIDATION', `--max-concurrency: expected a whole number ≥ 1, found "${args['max-concurrency']}"`);
  }
  return { timeScale, maxConcurrency };
}

export interface AsyncStatePaths {
  /** One JSON file per accepted, undelivered Event invocation. */
  queueDir: string;
  /** `<Type>-<name>.jsonl` per on-success / on-failure destination and DLQ. */
  destinationsDir: string;
  /** Failures with no destination. */
  failedEventsFile: string;
}

/** Under the project's local data folder (ml_config.yaml local.data_dir, `.larder` by default). */
export function asyncStatePaths(rootDir: string, dataDir: string): AsyncStatePaths {
  const base = resolve(rootDir, dataDir);
  return { queueDir: join(base, 'async-queue'), destinationsDir: join(base, 'destinations'), failedEventsFile: join(base, 'failed-events.jsonl') };
}
