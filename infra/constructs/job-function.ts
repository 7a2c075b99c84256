/**
 * Every function of the stack: a NodejsFunction with the project's defaults fixed in one place (arm64,
 * Node.js 22, minified ESM bundle with a linked source map, the AWS SDK from the runtime, an explicit log
 * group with retention, JSON logs, LOG_LEVEL/SERVICE_NAME). Entries are handler modules under
 * functions/handlers/. No NODE_OPTIONS=--enable-source-maps: Node would read and index every bundle's map at
 * each cold start; the logger maps the stacks it logs instead, on demand (functions/adapters/source-mapped-stack.ts).
 */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import {
  LogLevel as BundlingLogLevel,
  type ICommandHooks,
  NodejsFunction,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../functions/wiring/config.ts';
import { envNames } from '../env-names.ts';
import { functionTimeoutSeconds, runtimeSettings, runtimeSettingsByFunction } from '../function-settings.ts';
import type { LogLevel } from '../settings.ts';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const handlersDir = join(projectRoot, 'functions', 'handlers');

/** `api/get-job` -> <project>/functions/handlers/api/get-job.ts */
export const handlerEntry = (module: string): string => join(handlersDir, `${module}.ts`);

/** Lets CommonJS dependencies bundled into the ESM output call `require` (esbuild's __require shim needs it). */
const REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Imports replaced in every bundle: `node:stream/web`, which @middy/core imports for `instanceof
 * ReadableStream` only, by a stand-in that does not load the web streams' modules at cold start
 * (functions/adapters/lambda/stream-web.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:stream/web': join(projectRoot, 'functions', 'adapters', 'lambda', 'stream-web.ts'),
};

/**
 * The esbuild options of a function's bundle as `bundling` below produces it (minified ESM for node22,
 * `@aws-sdk/*` external), for measuring bundles outside CDK (the bench, the bundle-size test); in memory,
 * with a metafile.
 */
export const measuredBundleOptions = (module: string) => ({
  entryPoints: [handlerEntry(module)],
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  external: ['@aws-sdk/*'],
  alias: BUNDLE_ALIASES,
  write: false as const,
  metafile: true as const,
  outfile: 'index.mjs',
  logLevel: 'silent' as const,
  // As deployed: the require shim on top and the source map's comment at the end count toward the size.
  banner: { js: REQUIRE_SHIM },
  sourcemap: 'linked' as const,
  sourcesContent: false,
});

/** The bundle itself among the outputs of `measuredBundleOptions` (the other is its source map). */
export const bundleOutput = <T>(outputs: Record<string, T>): T | undefined =>
  Object.entries(outputs).find(([path]) => path.endsWith('.mjs'))?.[1];

const APPLICATION_LOG_LEVEL: Record<LogLevel, ApplicationLogLevel> = {
  debug: ApplicationLogLevel.DEBUG,
  info: ApplicationLogLevel.INFO,
  warn: ApplicationLogLevel.WARN,
  error: ApplicationLogLevel.ERROR,
};

/** What every function of the stack shares; the stack builds it once from its settings. */
export interface FunctionDefaults {
  /** Prefix of SERVICE_NAME, e.g. `job-queue-dev`. */
  servicePrefix: string;
  logLevel: LogLevel;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export interface JobFunctionProps {
  /** Handler module under functions/handlers without `.ts`, exporting `handler`. */
  module: string;
  defaults: FunctionDefaults;
  description?: string;
  memorySize?: number;
  /** Files (paths relative to the project root) copied next to the bundle, for the handler to read. */
  files?: readonly string[];
  /** Files gzipped next to the bundle as `<name>.gz` (level 9, at build time), for the handler to serve as they are. */
  gzippedFiles?: readonly string[];
}

export class JobFunction extends NodejsFunction {
  public readonly module: string;

  constructor(scope: Construct, id: string, props: JobFunctionProps) {
    const { defaults } = props;
    // The log group is created before the function so Lambda never auto-creates one without retention.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: defaults.logRetention,
      removalPolicy: defaults.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group): it may write to its
    // log group only, and the bindings add exactly what the function uses.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of functions/handlers/${props.module}.ts`,
    });
    super(scope, id, {
      entry: handlerEntry(props.module),
      handler: 'handler',
      description: props.description ?? `functions/handlers/${props.module}.ts`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      // One definition with the local stack, which enforces the same timeout (infra/function-settings.ts).
      timeout: Duration.seconds(functionTimeoutSeconds(props.module)),
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      logGroup,
      role,
      // Our JsonLogger already writes one JSON object per line with a `level`; JSON format makes Lambda's own
      // platform lines JSON too, and the application level filter must not drop what LOG_LEVEL lets through.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[defaults.logLevel],
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        [envNames.logLevel]: defaults.logLevel,
        [envNames.serviceName]: `${defaults.servicePrefix}-${props.module.replaceAll('/', '-')}`,
        ...runtimeEnvironment(props.module),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Provided by the nodejs22.x runtime: smaller bundles, faster cold starts.
        externalModules: ['@aws-sdk/*'],
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        // esbuild is a dev dependency; there is no Docker on the build machines.
        forceDockerBundling: false,
        ...((props.files?.length || props.gzippedFiles?.length) && {
          commandHooks: copyFiles(props.files ?? [], props.gzippedFiles ?? []),
        }),
        // esbuild reports each bundle's size and time by default (two lines per function); errors only.
        logLevel: BundlingLogLevel.ERROR,
      },
    });
    this.module = props.module;
    logGroup.grantWrite(role);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x (supported until 2027-04-30), the runtime the project targets (esbuild target node22, Node 20+ toolchain); moving to nodejs24.x is a deliberate upgrade, not a side effect of a cdk-nag release.',
    });
  }
}

/** Node writes a gzip with no time stamp: the same input gives the same asset, hence the same asset hash. */
const GZIP_SCRIPT =
  "const fs=require('node:fs');fs.writeFileSync(process.argv[2],require('node:zlib').gzipSync(fs.readFileSync(process.argv[1]),{level:9}))";

/** Bundling hooks that copy `files` from the project into the bundle's folder and gzip `gzipped` into it. */
function copyFiles(files: readonly string[], gzipped: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      ...files.map((file) => `cp ${JSON.stringify(join(inputDir, file))} ${JSON.stringify(`${outputDir}/`)}`),
      ...gzipped.map(
        (file) =>
          `node -e ${JSON.stringify(GZIP_SCRIPT)} ${JSON.stringify(join(inputDir, file))} ${JSON.stringify(`${outputDir}/${basename(file)}.gz`)}`,
      ),
    ],
  };
}

/** The runtime timings a handler module reads (HEARTBEAT_SECONDS, ...), set explicitly from the one definition. */
export function runtimeEnvironment(module: string): Record<string, string> {
  return Object.fromEntries(
    (runtimeSettingsByFunction[module] ?? []).map((setting) => [
      ENV[setting],
      String(runtimeSettings[setting]),
    ]),
  );
}
