/**
 * Runs the Bedrock emulator alone, without the rest of Larder:
 *
 *   npx tsx src/local/services/bedrock/main.ts [--port N] [--host H]
 *
 * Prints one JSON line `{"endpoint": "http://127.0.0.1:N", "port": N}` on stdout once listening,
 * then serves until SIGINT / SIGTERM. Point a client at it with
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<endpoint>.
 */
import { startBedrockEmulator } from './server';

function argValue(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const portText = argValue('--port') ?? '0';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`bedrock emulator: --port must be an integer from 0 to 65535, got ${portText}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startBedrockEmulator({ host: argValue('--host') ?? '127.0.0.1', port });
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, port: emulator.port })}\n`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bedrock emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
