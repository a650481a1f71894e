import { loadConfig, parseConfig } from '../../src/config';
import { readFileSync } from 'node:fs';
import type { BenchSuite } from './types';

const suite: BenchSuite = {
  name: 'config',
  description: 'ml_config.yaml parse + validate',
  async run() {
    const config = loadConfig(undefined, {});
    const text = readFileSync(config.configPath, 'utf8');
    const n = 200;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) parseConfig(text, config.configPath, {});
    const ms = (performance.now() - t0) / n;
    return [{ metric: 'load + validate', value: ms, unit: 'ms' }];
  },
};
export default suite;
