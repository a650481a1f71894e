/**
 * One factory per AWS client. Library code receives clients; it never builds its own. The DynamoDB
 * factories are in dynamodb.ts, imported from there (not re-exported by the index): the lib-dynamodb
 * package is not marked side-effect free, so a re-export would put it in every bundle, the query
 * Lambda's included.
 *
 * Endpoints come from the SDK's own per-service variables (AWS_ENDPOINT_URL_S3, …) as read by
 * src/config/env.ts, so the same code runs against AWS and against `larder services`.
 * Against a local endpoint:
 *  - S3 uses path-style addressing (no bucket subdomains on 127.0.0.1);
 *  - checksums are computed/validated only WHEN_REQUIRED: recent SDKs otherwise send aws-chunked
 *    bodies with checksum trailers that local S3 servers store corrupted or reject;
 *  - dummy static credentials are used, so the SDK never looks for a profile or IMDS (the local
 *    services accept any credentials, so a user's own keys work against them too).
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { LarderConfig } from '../config';

/**
 * Credentials Larder's own clients use against local endpoints (so the SDK never looks for a profile
 * or IMDS). The local services accept any credentials; these are s3rver's own pair, which also
 * passes `strictCredentials`.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface ClientFactoryOptions {
  /** Override the endpoint from the config/env (tests pass the local service URL here). */
  endpoint?: string;
  region?: string;
  maxAttempts?: number;
}

export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    // host.docker.internal: the host's loopback services as seen from SAM's Docker containers;
    // 0.0.0.0: services bound to every interface (`larder services --host 0.0.0.0`).
    return (
      host === 'localhost' ||
      host === '::1' ||
      host.startsWith('127.') ||
      host === 'host.docker.internal' ||
      host === '0.0.0.0'
    );
  } catch {
    return false;
  }
}

/** What every client of Larder's gets: region, the endpoint override, local credentials against a local endpoint. */
export function clientBase(endpoint: string | undefined, region: string, maxAttempts?: number) {
  const local = isLocalEndpoint(endpoint);
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
  };
}

export function createS3Client(config: LarderConfig, options: ClientFactoryOptions = {}): S3Client {
  const endpoint = options.endpoint ?? config.overrides.endpoints.s3;
  const s3Config: S3ClientConfig = {
    ...clientBase(endpoint, options.region ?? config.s3.region, options.maxAttempts),
    ...(endpoint
      ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  };
  return new S3Client(s3Config);
}

export function createBedrockRuntimeClient(config: LarderConfig, options: ClientFactoryOptions = {}): BedrockRuntimeClient {
  const endpoint = options.endpoint ?? config.overrides.endpoints.bedrockRuntime;
  const brConfig: BedrockRuntimeClientConfig = clientBase(endpoint, options.region ?? config.s3.region, options.maxAttempts);
  return new BedrockRuntimeClient(brConfig);
}

export function createLambdaClient(config: LarderConfig, options: ClientFactoryOptions = {}): LambdaClient {
  const endpoint = options.endpoint ?? config.overrides.endpoints.lambda;
  const lambdaConfig: LambdaClientConfig = clientBase(endpoint, options.region ?? config.s3.region, options.maxAttempts);
  return new LambdaClient(lambdaConfig);
}
