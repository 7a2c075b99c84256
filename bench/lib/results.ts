/** The shape of bench/results.json: one entry per section, each written by its own child process. */
import type { Counts } from './sdk-counter.ts';
import type { Summary } from './stats.ts';

export const SECTIONS = ['requests', 'overhead', 'cost', 'bundles', 'throughput', 'scale'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface SectionContext {
  /** Smaller runs for iterating on the bench itself (`--quick`); the figures are noisier. */
  quick: boolean;
  /** Results of the sections run so far in this invocation, or earlier ones from results.json. */
  previous: Partial<BenchResults['sections']>;
  log: (line: string) => void;
}

export interface WebSocketUse {
  /** Connections opened (each runs the $connect authorizer, $connect and $disconnect). */
  connections: number;
  /** Client → server messages (each runs the message handler; billed as WebSocket messages). */
  clientMessages: number;
  /** Frames the client received (each one PostToConnection; billed as WebSocket messages). */
  framesReceived: number;
  /** Connection time, rounded up to whole minutes per connection (how connection minutes are billed). */
  connectionMinutes: number;
}

export interface ShapeResult {
  shape: string;
  description: string;
  jobs: number;
  windowSeconds: number;
  statuses: Record<string, number>;
  /** Mean runs per job (attempt of the final job). */
  attempts: number;
  /** Mean executionTimeMs of the final run (claim to outcome). */
  executionMs: number;
  /** The agent's own run time per job, which any platform pays for (demo/sleep sleeps). */
  agentSecondsPerJob: number;
  /** Median size of the finished jobs' items by DynamoDB's sizing rules (what write units are billed by). */
  itemBytes: number;
  /** Progress calls the agent makes per job. */
  progressUpdates: number;
  /** Every request in the window divided by the number of jobs (background polls listed separately). */
  perJob: Counts;
  /** HTTP API requests per job. */
  httpRequests: number;
  websocket: WebSocketUse;
  /** Lambda invocations per job, by function module. */
  invocations: Record<string, number>;
  /** Empty receives / empty stream reads in the window, against the idle rate times the window. */
  background: { emptyReceives: number; idleReceivesExpected: number; emptyStreamReads: number };
}

export interface RequestsResult {
  idle: { windowSeconds: number; perSecond: Counts; pollLoops: number };
  maintenance: { recover: Counts; cleanup: Counts; recoverMs: number; cleanupMs: number };
  shapes: ShapeResult[];
  errors: string[];
}

export interface InvocationTiming {
  name: string;
  module: string;
  note: string;
  invocations: number;
  wallMs: Summary;
  cpuMs: Summary;
  /** SDK requests per invocation, by `service operation`. */
  requests: Record<string, number>;
}

export interface OverheadResult {
  handlers: InvocationTiming[];
  notes: string[];
}

export interface FunctionMemory {
  module: string;
  memoryMb: number;
  architecture: string;
  runtime: string;
}

export interface CostLine {
  item: string;
  unitPrice: string;
  quantityPerJob: number;
  usdPerMillionJobs: number;
}

export interface IdleLine {
  item: string;
  unitPrice: string;
  quantityPerMonth: number;
  usdPerMonth: number;
}

export interface ShapeCost {
  shape: string;
  lines: CostLine[];
  /** Everything except the agent's own Lambda run time. */
  platformUsdPerMillion: number;
  agentComputeUsdPerMillion: number;
  totalUsdPerMillion: number;
  /** The DynamoDB write line if global secondary index entries were billed at their own size (≤ 1 KB). */
  dynamoWritesGsiOwnSizeUsdPerMillion: number;
  stepFunctions: {
    transitions: number;
    breakdown: Array<{ state: string; count: number }>;
    usdPerMillion: number;
  };
}

export interface CostResult {
  priceDate: string;
  memory: FunctionMemory[];
  shapes: ShapeCost[];
  idle: { lines: IdleLine[]; usdPerMonth: number };
  assumptions: string[];
}

export interface BundleResult {
  functions: Array<{
    module: string;
    bytes: number;
    mapBytes: number;
    largestPackages: Array<{ name: string; bytes: number }>;
    importMs: Summary;
    /** Importing only the @aws-sdk packages the bundle names, in a fresh process. */
    sdkImportMs: Summary;
    sdkPackages: string[];
  }>;
  nodeVersion: string;
  runs: number;
  /** Spawning an empty node process, for scale. */
  processStartMs: Summary;
  notes: string[];
}

export interface ThroughputRun {
  system: string;
  jobs: number;
  concurrency: number;
  workers: string;
  seconds: number;
  jobsPerSecond: number;
  latencyMs: Summary;
  observedVia: string;
  /** Share of the whole machine's CPU time that was busy during the measured run (/proc/stat). */
  machineCpuBusy: number;
  /** CPU seconds of the bench's own Node process (the other processes: DynamoDB Local, redis-server). */
  processCpuSeconds: number;
  /** Latency with one job in flight (run after the loaded run). */
  unloadedLatencyMs: Summary;
  functionRequestsPerJob?: number;
  failedRequestsPerJob?: number;
  /** Empty receives per job: the SQS emulator wakes every waiting long poll for each message. */
  emptyReceivesPerJob?: number;
}

export interface ThroughputResult {
  local: ThroughputRun;
  bullmq: ThroughputRun | { skipped: string };
  ratio: number | null;
  notes: string[];
}

export interface ScaleMeasure {
  route: string;
  small: { readUnits: number; awsReadUnits: number; requests: number };
  large: { readUnits: number; awsReadUnits: number; requests: number };
  ratio: number;
}

export interface ScaleResult {
  sizes: { small: number; large: number };
  loadSeconds: number;
  loadedPerSecond: number;
  measures: ScaleMeasure[];
  checks: string[];
}

export interface BenchResults {
  generatedAt: string;
  environment: { node: string; platform: string; cpus: number; cpuModel: string; memoryGb: number };
  sections: {
    requests?: RequestsResult & Stamp;
    overhead?: OverheadResult & Stamp;
    cost?: CostResult & Stamp;
    bundles?: BundleResult & Stamp;
    throughput?: ThroughputResult & Stamp;
    scale?: ScaleResult & Stamp;
  };
}

export interface Stamp {
  measuredAt: string;
  wallSeconds: number;
  quick: boolean;
}
