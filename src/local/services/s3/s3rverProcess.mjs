// Runs s3rver in a process of its own. Started by s3.ts as
//   node --openssl-legacy-provider s3rverProcess.mjs '{"host":…,"port":…,"directory":…}'
// because s3rver 3.7.1 builds ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+)
// refuses without the legacy provider: every *paginated* list would answer 500. The flag stays in
// this process only. Plain JavaScript so that no TypeScript loader is needed to start it (faster).
//
// Protocol with the parent (IPC): → {type:'listening', port} | {type:'error', code, message}.
// The process exits when the parent says {type:'stop'}, sends SIGTERM/SIGINT, or goes away
// (IPC disconnect), so it can never outlive the parent as an orphan.
import { createRequire } from 'node:module';
import S3rver from 's3rver';

// Any credentials, like AWS's other local tools: s3rver 3.7.1 knows one access key (S3RVER) and
// refuses every other with InvalidAccessKeyId. Its key registry is a static Map; answer every key
// with its dummy account (whose secret is S3RVER), and let SigV2 signatures made with another
// secret through (allowMismatchedSignatures). SigV4 signatures are never verified by s3rver.
// options.strictCredentials keeps s3rver's own behaviour (only S3RVER/S3RVER).
const options = JSON.parse(process.argv[2] ?? '{}');
if (!options.strictCredentials) {
  const AWSAccount = createRequire(import.meta.url)('s3rver/lib/models/account');
  const dummy = AWSAccount.DUMMY_ACCOUNT;
  const registry = AWSAccount.registry;
  const knownGet = registry.get.bind(registry);
  registry.get = (accessKeyId) => knownGet(accessKeyId) ?? dummy;
  const secrets = dummy.accessKeys;
  const knownSecret = secrets.get.bind(secrets);
  secrets.get = (accessKeyId) => knownSecret(accessKeyId) ?? knownSecret('S3RVER');
}

const send = (message) => {
  if (process.connected) process.send(message);
};

const server = new S3rver({
  address: options.host ?? '127.0.0.1',
  port: options.port ?? 0,
  directory: options.directory,
  silent: true,
  resetOnClose: false,
  allowMismatchedSignatures: !options.strictCredentials,
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
