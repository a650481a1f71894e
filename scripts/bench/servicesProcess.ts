/**
 * Helper for 10-services.bench.ts: local S3 in a process of its own, as `larder services` runs it,
 * so the bench's client and the fault proxy do not share one event loop. Prints
 * {"proxy": url, "direct": url} on stdout; stops on SIGTERM.
 *   node --import tsx scripts/bench/servicesProcess.ts <ml_config.yaml> <dataDir>
 */
import { loadConfig } from '../../src/config';
import { startLocalServices } from '../../src/local/services';

const [configPath, dataDir] = process.argv.slice(2);
const services = await startLocalServices({ config: loadConfig(configPath, {}), only: ['s3'], dataDir, quiet: true, ports: { s3: 0 } });
process.stdout.write(JSON.stringify({ proxy: services.endpoints.s3, direct: services.directEndpoints.s3 }) + '\n');
const stop = async () => {
  await services.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
