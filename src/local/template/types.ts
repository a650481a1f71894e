/**
 * The shapes a loaded template is read into. Consumers (the emulator, start-api, local services,
 * schedules) read the definitions below; anything they need that is not here they read from
 * `template.raw` through `template.resolve(value, path)`, the same lenient resolver the loader uses.
 */

export interface ApiEventRoute {
  eventName: string;
  path: string;
  method: string;
  /** Logical id of the AWS::Serverless::Api the event attaches to (undefined → SAM's implicit api). */
  restApiId?: string;
}

/** A layer a function declares: a local folder (ContentUri / Content / CDK asset) or only an ARN. */
export interface LayerReference {
  /** Logical id of the layer resource in this template, when the reference is a `!Ref`. */
  logicalId?: string;
  /** Absolute folder of the layer's content, when it is local. */
  contentDir?: string;
  /** The layer version ARN, when the layer is not in this template (or has no local content). */
  arn?: string;
}

/** A resolved event source of a function, as written under Events (Type + resolved Properties). */
export interface FunctionEvent {
  Type: string;
  Properties: Record<string, any>;
}

export interface FunctionDefinition {
  logicalId: string;
  /** AWS::Serverless::Function or AWS::Lambda::Function. */
  resourceType: string;
  /** The function's name as Lambda would know it: FunctionName when set, else the logical id. */
  functionName: string;
  handler: string;
  runtime: string;
  /** Absolute directory of the function's code (CodeUri / Code / asset path, or the inline code's folder). */
  codeDir: string;
  /**
   * True when codeDir is build output (a cdk synth asset, or a `sam build` output marked by
   * Metadata.SamResourceId): it may get a package.json so Node reads its .js files as Lambda does.
   */
  builtCode?: boolean;
  /** Set when the code is inline (InlineCode / Code.ZipFile): written to codeDir/index.js. */
  inlineCode?: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralStorageMb: number;
  architecture: string;
  environment: Record<string, string>;
  apiEvents: ApiEventRoute[];
  /** Every event of the function, resolved (Api, HttpApi, Schedule, SQS, …). */
  events: Record<string, FunctionEvent>;
  /** FunctionUrlConfig, resolved, when the function has one. */
  functionUrlConfig?: Record<string, any>;
  /** Layers in declaration order (Globals' first, as SAM merges them). */
  layers: LayerReference[];
  /** Metadata.BuildMethod (`makefile`, `esbuild`, …), when set. */
  buildMethod?: string;
  /**
   * The esbuild options: Metadata.BuildProperties under BuildMethod esbuild (SAM runs esbuild) or
   * makefile (the Makefile's build-<LogicalId> target runs scripts/build.ts, which reads them; SAM
   * itself ignores BuildProperties there). Undefined when built another way.
   */
  esbuild?: EsbuildProperties;
  /** Warnings about this function (deprecated runtime, unresolved environment values, …). */
  warnings: string[];
}

/** A function the template declares that Larder cannot run here, and why (listed, never blocking). */
export interface SkippedFunction {
  logicalId: string;
  resourceType: string;
  runtime?: string;
  handler?: string;
  reason: string;
}

export interface EsbuildProperties {
  EntryPoints?: string[];
  External?: string[];
  Format?: 'esm' | 'cjs';
  Target?: string;
  Minify?: boolean;
  Sourcemap?: boolean;
  /**
   * Not one of SAM's esbuild properties: Larder's own builds (`larder build`, the Makefile of a
   * `BuildMethod: makefile` function) honour it. false: the source map carries mappings and file
   * names but not the sources, which is all `--enable-source-maps` needs for stack traces, and a
   * third of the bytes Node parses at every cold start.
   */
  SourcesContent?: boolean;
  OutExtension?: string[];
  Banner?: string;
  MainFields?: string;
}

export interface ApiDefinition {
  logicalId: string;
  stageName: string;
  binaryMediaTypes: string[];
  cors?: CorsSettings;
}

export interface CorsSettings {
  allowOrigin: string;
  allowMethods?: string;
  allowHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, any>;
  Condition?: string;
  [key: string]: any;
}

/** The template as parsed, intrinsics untouched (`{Ref: X}`, `{"Fn::Sub": …}`). */
export interface RawTemplate {
  Resources: Record<string, TemplateResource>;
  Globals?: Record<string, any>;
  Parameters?: Record<string, any>;
  Mappings?: Record<string, any>;
  Conditions?: Record<string, any>;
  Outputs?: Record<string, any>;
  [key: string]: any;
}

export interface LoadedTemplate {
  path: string;
  dir: string;
  region: string;
  /** Functions Larder can run here. */
  functions: FunctionDefinition[];
  /** Functions it cannot (another runtime, an image, code in S3, an unresolved Handler), with the reason. */
  skippedFunctions: SkippedFunction[];
  apis: ApiDefinition[];
  /** The resolved Resources section (lenient: unresolvable values are placeholders, see isUnresolved). */
  resources: Record<string, TemplateResource>;
  /** The parsed template, intrinsics untouched. */
  raw: RawTemplate;
  /**
   * Resolves any part of the raw template (e.g. `raw.Resources.MyApi.Properties.Auth`) the way the
   * loader does. `path` names where the value sits (`Resources.MyApi.Properties.Auth`) for warnings.
   * What cannot be resolved becomes a placeholder string (isUnresolved) and one warning in `warnings`.
   */
  resolve(value: unknown, path: string): unknown;
  /** One line per thing that could not be resolved or was read leniently, each naming its path. */
  warnings: string[];
}

export interface TemplateOptions {
  region?: string;
  /** Template parameter overrides, like `sam --parameter-overrides`. */
  parameterOverrides?: Record<string, string>;
}
