// Runs s3rver in a process of its own. Started by s3.ts as
//   node --openssl-legacy-provider s3rverProcess.mjs '{"host":…,"port":…,"directory":…}'
// because s3rver 3.7.1 builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+)
// refuses without the legacy provider: every *paginated* list would answer 500. The flag stays in
// this process only. Plain JavaScript so that no TypeScript loader is needed to start it (faster).
//
// Protocol with the parent (IPC): → {type:'listening', port} | {type:'error', code, message}.
// The process exits when the parent says {type:'stop'}, sends SIGTERM/SIGINT, or goes away
// (IPC disconnect), so it can never outlive the parent as an orphan.
import S3rver from 's3rver';

const options = JSON.parse(process.argv[2] ?? '{}');
const send = (message) => {
  if (process.connected) process.send(message);
};

const server = new S3rver({
  address: options.host ?? '127.0.0.1',
  port: options.port ?? 0,
  directory: options.directory,
  silent: true,
  resetOnClose: false,
  configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
});

const exit = () => process.exit(0);
process.on('disconnect', exit);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
process.on('message', (message) => {
  if (message && message.type === 'stop') exit();
});

try {
  const address = await server.run();
  send({ type: 'listening', port: address.port });
} catch (err) {
  send({ type: 'error', code: err.code ?? 'ERROR', message: err.message });
  setTimeout(() => process.exit(1), 50);
}
