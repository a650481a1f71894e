/**
 * The `--env-vars` file for `sam local invoke | start-api | start-lambda` against the local services.
 *
 * SAM runs each function in a Docker container, so:
 *   - endpoints must name the host as containers see it: `host.docker.internal` (Docker Desktop has
 *     it; on Linux the sam-*.sh scripts add it with `--add-host host.docker.internal:host-gateway`,
 *     and the services must listen beyond loopback: `larder services --host 0.0.0.0`);
 *   - SAM applies only variables the template declares (Parameters to every function that declares
 *     the key, `<LogicalId>` sections to that function), and sets AWS_REGION and the credentials itself
 *     (they are reserved in Lambda), so the file carries endpoints and settings only;
 *   - `sam local start-lambda` answers to logical ids, so a variable naming another function (the
 *     artifact function's INGEST_FUNCTION_NAME) is set to that logical id.
 *
 * lambda_assets/env.json is this file for the fixed ports below (a test keeps them equal);
 * scripts/sam-env.ts writes it for the ports of a running `larder services`.
 */
import type { EnvVarsFile } from './lambdaEnv';
import type { LoadedTemplate } from './template';

export const DOCKER_HOST_ALIAS = 'host.docker.internal';

/** The ports lambda_assets/env.json assumes: `larder services --port-s3 4569 --port-dynamodb 8000 --port-bedrock 4570`; 3001 is `sam local start-lambda`'s default. */
export const SAM_FIXED_PORTS = { s3: 4569, dynamodb: 8000, bedrock: 4570, lambda: 3001 } as const;

export interface SamEndpoints {
  s3: string;
  dynamodb: string;
  bedrock: string;
  /** The Lambda Invoke API the functions call (`sam local start-lambda`). */
  lambda: string;
}

export const SAM_FIXED_ENDPOINTS: SamEndpoints = {
  s3: `http://${DOCKER_HOST_ALIAS}:${SAM_FIXED_PORTS.s3}`,
  dynamodb: `http://${DOCKER_HOST_ALIAS}:${SAM_FIXED_PORTS.dynamodb}`,
  bedrock: `http://${DOCKER_HOST_ALIAS}:${SAM_FIXED_PORTS.bedrock}`,
  lambda: `http://${DOCKER_HOST_ALIAS}:${SAM_FIXED_PORTS.lambda}`,
};

const ENDPOINT_VARIABLES: Record<keyof SamEndpoints, string> = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  bedrock: 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
};

/** Host names that mean "this machine" to a host process but the container itself inside Docker. */
const HOST_ONLY_NAMES = /^(127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|::1?|\[::1?\])$/;

/** An endpoint as a SAM container reaches it: loopback and wildcard hosts become host.docker.internal. */
export function containerReachable(endpoint: string): string {
  const url = new URL(endpoint);
  if (HOST_ONLY_NAMES.test(url.hostname)) url.hostname = DOCKER_HOST_ALIAS;
  return url.toString().replace(/\/$/, '');
}

/** True when the endpoint's host is loopback only: a container cannot reach it on Linux. */
export function isLoopbackOnly(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/.test(host);
}

export interface SamEnvOptions {
  logLevel?: string;
}

export function samEnvVars(template: LoadedTemplate, endpoints: SamEndpoints, options: SamEnvOptions = {}): EnvVarsFile {
  const declared = new Set(template.functions.flatMap((f) => Object.keys(f.environment)));
  const parameters: Record<string, string> = {};
  for (const [service, variable] of Object.entries(ENDPOINT_VARIABLES) as [keyof SamEndpoints, string][]) {
    if (declared.has(variable)) parameters[variable] = containerReachable(endpoints[service]);
  }
  if (declared.has('LARDER_LOG_LEVEL')) parameters.LARDER_LOG_LEVEL = options.logLevel ?? 'info';

  const functionNames = new Map(template.functions.map((f) => [f.functionName, f.logicalId]));
  const file: EnvVarsFile = { Parameters: parameters };
  for (const f of template.functions) {
    const own: Record<string, string> = {};
    for (const [key, value] of Object.entries(f.environment)) {
      const target = functionNames.get(value);
      if (target && target !== f.logicalId) own[key] = target;
    }
    file[f.logicalId] = own;
  }
  return file;
}
