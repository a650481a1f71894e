/**
 * Checks lambda_assets/template.yaml against the code, since `sam validate` is not available here:
 * every Handler resolves to an exported function, every variable the code reads is declared, every
 * test event parses and has its trigger's shape, env.json only sets declared variables, and the
 * table's keys and GSIs match the registry's own definition.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { loadTemplate, type FunctionDefinition } from '../../../src/local/template';
import { locateHandler, splitHandler } from '../../../src/local/handlerLocation';
import { LAMBDA_RESERVED_VARIABLES, readEnvVarsFile } from '../../../src/local/lambdaEnv';
import { matchRoute, routesFromTemplate } from '../../../src/local/apiRoutes';
import { SAM_FIXED_ENDPOINTS, containerReachable, isLoopbackOnly, samEnvVars } from '../../../src/local/samEnv';

const ROOT = resolve(import.meta.dirname, '../../..');
const template = loadTemplate(join(ROOT, 'lambda_assets/template.yaml'));
const fn = (id: string) => template.functions.find((f) => f.logicalId === id)!;

/**
 * Variables read by the code but never inside Lambda: the local services' fault rules, CLI debugging,
 * the SDK's Node-20 banner switch the CLI sets for itself (src/cli.ts), and the Node binary the
 * emulator runs sandboxes with (LARDER_NODE_BINARY; LARDER_NODE_<MAJOR> is read by pattern).
 */
const HOST_ONLY_VARIABLES = new Set(['LARDER_FAULTS_S3', 'LARDER_FAULTS_DYNAMODB', 'LARDER_FAULTS_BEDROCK', 'LARDER_DEBUG', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'LARDER_NODE_BINARY']);

describe('lambda_assets/template.yaml', () => {
  it('declares the five functions on nodejs22.x, built by the Makefile with esbuild settings and nodejs-polars external', () => {
    expect(template.functions.map((f) => f.logicalId).sort()).toEqual(['ArtifactFunction', 'DataLoaderTestFunction', 'IngestSweepFunction', 'IngestWorkerFunction', 'QueryFunction']);
    for (const f of template.functions) {
      expect(f.runtime).toBe('nodejs22.x');
      // esbuild under SAM would leave out ml_config.yaml and the package-shipped tables; the Makefile's targets add them.
      expect(f.buildMethod).toBe('makefile');
      expect(f.codeDir, 'CodeUri is the project root, where the Makefile is').toBe(ROOT);
      expect(f.esbuild?.Format).toBe('esm');
      // Issue 14: the table readers' packages carry no native code (hyparquet + the page reader); the others keep it External.
      if (['QueryFunction', 'DataLoaderTestFunction'].includes(f.logicalId)) expect(f.esbuild?.External ?? []).not.toContain('nodejs-polars');
      else expect(f.esbuild?.External).toContain('nodejs-polars');
      expect(f.esbuild?.EntryPoints?.[0]).toBe(`src/handlers/${splitHandler(f.handler).modulePath}.ts`);
      expect(f.environment.LARDER_EPHEMERAL_STORAGE_MB).toBe(String(f.ephemeralStorageMb));
    }
  });

  it.each(['QueryFunction', 'ArtifactFunction', 'IngestWorkerFunction', 'DataLoaderTestFunction'])('%s: Handler resolves to an exported function', (id) => {
    const f = fn(id);
    const file = resolve(f.codeDir, f.esbuild!.EntryPoints![0]);
    // Every handler has landed: a missing entry point is a failure, not a skip.
    expect(existsSync(file), `${id}: ${file}`).toBe(true);
    expect(locateHandler(f).file).toBe(file);
    expect(exportedFunctionNames(file)).toContain(splitHandler(f.handler).exportName);
  });

  it('declares every environment variable the code reads (SAM local drops undeclared ones)', () => {
    const declared = new Set(template.functions.flatMap((f) => Object.keys(f.environment)));
    const read = variablesReadBy(join(ROOT, 'src'));
    expect(read.size).toBeGreaterThan(5);
    const missing = [...read].filter((v) => !declared.has(v) && !LAMBDA_RESERVED_VARIABLES.has(v) && !HOST_ONLY_VARIABLES.has(v));
    expect(missing, `declare these in Globals.Function.Environment.Variables (or the function that reads them)`).toEqual([]);
    expect(fn('ArtifactFunction').environment.INGEST_FUNCTION_NAME).toBe('IngestWorkerFunction');
    for (const f of template.functions) {
      for (const k of Object.keys(f.environment)) expect(LAMBDA_RESERVED_VARIABLES.has(k), `${f.logicalId} sets reserved ${k}`).toBe(false);
    }
  });

  it('gives each function least-privilege policies', () => {
    const policies = (id: string) => JSON.stringify(template.resources[id].Properties!.Policies);
    expect(policies('QueryFunction')).toContain('S3ReadPolicy');
    expect(policies('QueryFunction')).toContain('bedrock:InvokeModel');
    expect(policies('QueryFunction')).not.toMatch(/Crud|dynamodb/i);
    expect(policies('ArtifactFunction')).toMatch(/S3CrudPolicy.*DynamoDBCrudPolicy.*LambdaInvokePolicy/);
    expect(policies('IngestWorkerFunction')).toMatch(/S3CrudPolicy.*DynamoDBCrudPolicy/);
    expect(policies('DataLoaderTestFunction')).toContain('S3ReadPolicy');
    expect(policies('DataLoaderTestFunction')).not.toMatch(/Crud|bedrock/i);
    expect(JSON.stringify(template.resources)).not.toMatch(/"Action":\s*"\*"|"Resource":\s*"\*"/);
  });

  it('routes the REST API to the handlers, with upload types as BinaryMediaTypes', () => {
    const routes = routesFromTemplate(template);
    expect(matchRoute(routes, 'POST', '/query')?.route.fn.logicalId).toBe('QueryFunction');
    expect(matchRoute(routes, 'POST', '/artifact/model')?.pathParameters).toEqual({ artifact_type: 'model' });
    expect(matchRoute(routes, 'POST', '/artifact/byRegEx')?.route.resource).toBe('/artifact/byRegEx');
    expect(matchRoute(routes, 'GET', '/artifacts/model/abc')?.pathParameters).toEqual({ artifact_type: 'model', id: 'abc' });
    expect(matchRoute(routes, 'GET', '/artifact/model/abc/rate')?.route.fn.logicalId).toBe('ArtifactFunction');
    for (const [m, p] of [['PUT', '/artifacts/code/1'], ['DELETE', '/artifacts/code/1'], ['POST', '/artifacts'], ['GET', '/artifact/byName/x'], ['DELETE', '/reset'], ['GET', '/health']]) {
      expect(matchRoute(routes, m, p)?.route.fn.logicalId, `${m} ${p}`).toBe('ArtifactFunction');
    }
    expect(template.apis[0].binaryMediaTypes).toEqual(expect.arrayContaining(['multipart/form-data', 'application/octet-stream', 'application/zip']));
  });

  it("defines the registry table with the keys and GSIs of src/registry/table.ts", async () => {
    expect(existsSync(join(ROOT, 'src/registry/table.ts')), 'src/registry/table.ts').toBe(true);
    const { artifactTableDefinition } = await import('../../../src/registry/table');
    const expected = artifactTableDefinition('larder-artifacts');
    const props = template.resources.ArtifactsTable.Properties!;
    const norm = (v: unknown) => JSON.parse(JSON.stringify(v));
    expect(props.TableName).toBe(expected.TableName);
    expect(props.BillingMode).toBe(expected.BillingMode);
    expect(sortBy(norm(props.AttributeDefinitions), 'AttributeName')).toEqual(sortBy(norm(expected.AttributeDefinitions), 'AttributeName'));
    expect(norm(props.KeySchema)).toEqual(norm(expected.KeySchema));
    const gsi = (list: any[]) => sortBy(list.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })), 'IndexName');
    expect(gsi(norm(props.GlobalSecondaryIndexes ?? []))).toEqual(gsi(norm(expected.GlobalSecondaryIndexes ?? [])));
  });

  it('has an env.json in SAM --env-vars format that only sets declared variables of real functions', () => {
    const envVars = readEnvVarsFile(join(ROOT, 'lambda_assets/env.json'));
    const declaredAnywhere = new Set(template.functions.flatMap((f) => Object.keys(f.environment)));
    for (const [key, vars] of Object.entries(envVars)) {
      if (key === 'Parameters') {
        for (const k of Object.keys(vars)) expect(declaredAnywhere.has(k), `Parameters.${k}`).toBe(true);
        continue;
      }
      const f = fn(key);
      expect(f, `env.json key ${key} is not a function`).toBeDefined();
      for (const k of Object.keys(vars)) expect(Object.keys(f.environment), `${key}.${k}`).toContain(k);
    }
  });
});

describe('Makefile (sam build runs make build-<LogicalId> in CodeUri)', () => {
  const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
  it.each(['QueryFunction', 'ArtifactFunction', 'IngestWorkerFunction', 'DataLoaderTestFunction'])('has a build-%s target that runs scripts/build.ts for it into ARTIFACTS_DIR', (id) => {
    const target = makefile.match(new RegExp(`^build-${id}:.*\\n((?:\\t.*\\n)+)`, 'm'));
    expect(target, `build-${id}`).not.toBeNull();
    expect(target![1]).toMatch(new RegExp(`\\$\\(BUILD_FUNCTION\\) ${id}$`, 'm'));
    expect(makefile).toMatch(new RegExp(`^\\.PHONY:.*\\bbuild-${id}\\b`, 'm'));
  });

  it('builds with scripts/build.ts into $(ARTIFACTS_DIR), with npm ci when Lambda\'s native polars is missing', () => {
    expect(makefile).toMatch(/^BUILD_FUNCTION = node --import tsx scripts\/build\.ts .*--artifacts-dir "\$\(ARTIFACTS_DIR\)" --function$/m);
    expect(makefile).toMatch(/^LAMBDA_NATIVE_PACKAGE \?= nodejs-polars-linux-x64-gnu$/m);
    expect(makefile).toContain('npm ci');
    // Recipes must start with a tab, or make refuses the file.
    for (const line of makefile.split('\n').filter((l) => /^ +\S/.test(l))) expect(line, 'recipe lines start with a tab').toMatch(/^\s+(echo|npm|fi|else|then)/);
  });
});

describe('sam local --env-vars', () => {
  it('lambda_assets/env.json is exactly samEnvVars() for the fixed ports', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'lambda_assets/env.json'), 'utf8'))).toEqual(samEnvVars(template, SAM_FIXED_ENDPOINTS));
  });

  it('points containers at the running services through host.docker.internal, with only declared, non-reserved variables', () => {
    const file = samEnvVars(template, { s3: 'http://127.0.0.1:41001', dynamodb: 'http://0.0.0.0:41002', bedrock: 'http://localhost:41003/', lambda: 'http://127.0.0.1:3001' }, { logLevel: 'debug' });
    expect(file.Parameters).toEqual({
      AWS_ENDPOINT_URL_S3: 'http://host.docker.internal:41001',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://host.docker.internal:41002',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://host.docker.internal:41003',
      AWS_ENDPOINT_URL_LAMBDA: 'http://host.docker.internal:3001',
      LARDER_LOG_LEVEL: 'debug',
    });
    expect(file.ArtifactFunction).toEqual({ INGEST_FUNCTION_NAME: 'IngestWorkerFunction' });
    expect(Object.keys(file).sort()).toEqual(['ArtifactFunction', 'DataLoaderTestFunction', 'IngestSweepFunction', 'IngestWorkerFunction', 'Parameters', 'QueryFunction']);
    for (const [key, vars] of Object.entries(file)) {
      for (const k of Object.keys(vars)) {
        expect(LAMBDA_RESERVED_VARIABLES.has(k) || /^AWS_(ACCESS|SECRET|SESSION|REGION|DEFAULT_REGION)/.test(k), `${key}.${k} is reserved: SAM sets it`).toBe(false);
        const declaredBy = key === 'Parameters' ? template.functions : [fn(key)];
        expect(declaredBy.some((f) => k in f.environment), `${key}.${k} is declared`).toBe(true);
      }
    }
    expect(containerReachable('http://[::1]:8000')).toBe('http://host.docker.internal:8000');
    expect(containerReachable('http://192.168.1.5:8000')).toBe('http://192.168.1.5:8000');
    expect(isLoopbackOnly('http://127.0.0.1:1')).toBe(true);
    expect(isLoopbackOnly('http://0.0.0.0:1')).toBe(false);
  });

  it('scripts/sam-env.ts writes the file for a running larder services and prints its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'larder-sam-env-'));
    try {
      // endpoints.json as `larder services --host 0.0.0.0` writes it; a live pid (ours) marks it running.
      const endpoints = { s3: 'http://0.0.0.0:42001', dynamodb: 'http://0.0.0.0:42002', bedrock: 'http://0.0.0.0:42003' };
      writeFileSync(join(dir, 'endpoints.json'), JSON.stringify({ endpoints, env: {}, pid: process.pid, startedAt: new Date().toISOString(), dataDir: dir }));
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/sam-env.ts', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8' }).trim();
      expect(out).toBe(join(dir, 'sam-env.docker.json'));
      const file = JSON.parse(readFileSync(out, 'utf8'));
      expect(file).toEqual(samEnvVars(template, { ...endpoints, lambda: 'http://host.docker.internal:3001' }));
      expect(file.Parameters.AWS_ENDPOINT_URL_S3).toBe('http://host.docker.internal:42001');

      rmSync(join(dir, 'endpoints.json'));
      const fallback = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/sam-env.ts', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      expect(fallback).toBe(join(ROOT, 'lambda_assets/env.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it.each(['sam-invoke.sh', 'sam-start-api.sh', 'sam-start-lambda.sh'])('scripts/%s runs the built template with the generated env file and host.docker.internal', (name) => {
    const text = readFileSync(join(ROOT, 'scripts', name), 'utf8');
    expect(text).toContain('ENV_VARS="$(sam_env_vars');
    expect(text).toMatch(/sam local \S+.* --template "\$BUILT_TEMPLATE" .*--env-vars "\$ENV_VARS" .*--add-host host\.docker\.internal:host-gateway/);
    expect(text).toContain('need_built');
    execFileSync('bash', ['-n', join(ROOT, 'scripts', name)]);
  });
});

describe('test_events/*.json', () => {
  const dir = join(ROOT, 'test_events');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const routes = routesFromTemplate(template);
  const owner = (file: string): FunctionDefinition | undefined => {
    const prefixes: [RegExp, string][] = [
      [/^query/i, 'QueryFunction'],
      [/^artifact/i, 'ArtifactFunction'],
      [/^ingest/i, 'IngestWorkerFunction'],
      [/^data[_-]?loader/i, 'DataLoaderTestFunction'],
    ];
    const hit = prefixes.find(([re]) => re.test(file));
    return hit ? fn(hit[1]) : undefined;
  };

  it('has at least one event', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s parses and matches its trigger', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const event = JSON.parse(text);
    const f = owner(file);
    expect(f, `${file}: name it after its function (query*, artifact*, ingest*, data_loader*)`).toBeDefined();
    expect(typeof event === 'object' && event !== null && !Array.isArray(event)).toBe(true);
    if ('httpMethod' in event) {
      // An API Gateway REST (v1) proxy event: it must reach this function through the template's routes.
      const match = matchRoute(routes, String(event.httpMethod).toUpperCase(), String(event.path));
      expect(match?.route.fn.logicalId, `${file}: ${event.httpMethod} ${event.path} routes to another function or nowhere`).toBe(f!.logicalId);
      expect(event.requestContext && typeof event.requestContext === 'object', `${file}: requestContext`).toBe(true);
      expect(typeof event.isBase64Encoded, `${file}: isBase64Encoded`).toBe('boolean');
      expect(event.body === null || typeof event.body === 'string', `${file}: body is a string or null`).toBe(true);
      expect(event.headers === null || typeof event.headers === 'object', `${file}: headers`).toBe(true);
      if (event.resource) expect(event.resource).toBe(match!.route.resource);
      if (event.isBase64Encoded && event.body) expect(Buffer.from(event.body, 'base64').toString('base64')).toBe(event.body.replace(/\s/g, ''));
    }
  });
});

function exportedFunctionNames(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  source.forEachChild((node) => {
    if (ts.isFunctionDeclaration(node) && node.name && isExported(node)) names.push(node.name.text);
    if (ts.isVariableStatement(node) && isExported(node)) {
      for (const d of node.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer) || ts.isCallExpression(d.initializer))) names.push(d.name.text);
      }
    }
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const e of node.exportClause.elements) names.push(e.name.text);
    }
  });
  return names;
}

/** Environment variable names read in the Lambda-side code (src/, minus the emulator and the CLI). */
function variablesReadBy(dir: string, out = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      if (p === join(ROOT, 'src/local') || p === join(ROOT, 'src/cli')) continue;
      variablesReadBy(p, out);
    } else if (/\.(ts|mts|js|mjs)$/.test(entry)) {
      const text = readFileSync(p, 'utf8');
      for (const re of [/\benv\.([A-Z][A-Z0-9_]+)/g, /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g, /\bintVar\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]+)['"]/g]) {
        for (const m of text.matchAll(re)) out.add(m[1]);
      }
    }
  }
  return out;
}

function sortBy<T extends Record<string, any>>(list: T[], key: string): T[] {
  return [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
