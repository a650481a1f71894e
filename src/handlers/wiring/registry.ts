/**
 * Wiring (a composition root, so it lives with the handlers, not in the library): the registry as
 * the Lambda handlers use it: built once per sandbox from ml_config.yaml and the
 * env (module scope, so warm invocations reuse clients), with the ingest invoker chosen here:
 *  - INGEST_FUNCTION_NAME set → asynchronous Lambda Invoke (Event) of that function;
 *  - not set, outside Lambda → the ingest runs in the background of this process (local dev);
 *  - not set, inside Lambda → an ingest request fails with a 500 naming the missing variable.
 * Against local endpoints the table and bucket are created when missing.
 */
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { createLambdaClient, createS3Client, isLocalEndpoint } from '../../aws';
import { createDynamoDocumentClient } from '../../aws/dynamodb';
import { loadConfig, type LarderConfig } from '../../config';
import { LarderError } from '../../errors';
import { log } from '../../log';
import { backgroundIngestInvoker, createRegistryRuntime, ensureArtifactTable, lambdaIngestInvoker, type IngestInvoker, type RegistryRuntime } from '../../registry';

let cached: Promise<RegistryRuntime> | undefined;

export function defaultRegistryRuntime(): Promise<RegistryRuntime> {
  cached ??= buildRuntime(loadConfig()).catch((err) => {
    cached = undefined; // a failed cold start must not poison the warm sandbox
    throw err;
  });
  return cached;
}

async function buildRuntime(config: LarderConfig): Promise<RegistryRuntime> {
  const s3 = createS3Client(config);
  const ddb = createDynamoDocumentClient(config);
  const runtime = createRegistryRuntime(config, { s3, ddb, invoker: (ingest) => chooseInvoker(config, ingest), auth: authSettings(config) });
  const { endpoints } = config.overrides;
  if (isLocalEndpoint(endpoints.dynamodb)) await ensureArtifactTable(ddb, runtime.store.tableName);
  if (isLocalEndpoint(endpoints.s3)) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: runtime.blobs.bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: runtime.blobs.bucket })).catch(() => undefined);
    }
  }
  return runtime;
}

/**
 * Access control's mode. On AWS the template's LARDER_REGISTRY_AUTH (parameter RegistryAuth,
 * default required) decides. In a local sandbox (`larder start`, local services) the template's
 * deploy default is not what a developer asked for: ml_config.yaml's registry.auth.mode decides
 * there (off by default, so the printed demo curls work). Elsewhere (scripts, in-process runs) the
 * env variable overrides the config.
 */
function authSettings(config: LarderConfig) {
  const { overrides } = config;
  const localSandbox = Boolean(overrides.lambda.functionName) && isLocalEndpoint(overrides.endpoints.dynamodb);
  const mode = localSandbox ? config.registry.auth.mode : (overrides.registryAuth ?? config.registry.auth.mode);
  const adminPassword = overrides.adminPassword ?? config.registry.auth.admin_password;
  if (mode === 'required' && !adminPassword) log.warn('registry access control is on but no admin password is configured (LARDER_ADMIN_PASSWORD or registry.auth.admin_password): nobody can authenticate');
  return { mode, adminPassword };
}

function chooseInvoker(config: LarderConfig, ingest: (id: string) => Promise<unknown>): IngestInvoker {
  const functionName = config.overrides.ingestFunctionName;
  if (functionName) return lambdaIngestInvoker(createLambdaClient(config), functionName);
  if (!config.overrides.lambda.functionName) return backgroundIngestInvoker(ingest);
  return async () => {
    throw new LarderError('CONFIG_INVALID', 'INGEST_FUNCTION_NAME is not set: the artifact function cannot start ingests', { statusCode: 500 });
  };
}
