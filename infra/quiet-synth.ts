/**
 * CDK writes "Bundling asset <path>..." to stderr for every function it bundles, unconditionally (no
 * option, context key or `-q` reaches it). Twenty functions make twenty lines of progress on every
 * synth; this drops exactly those lines and lets everything else, warnings and errors included, through.
 * esbuild's own output is turned down in constructs/job-function.ts (bundling logLevel).
 */
const PROGRESS = /^Bundling asset \S+\.\.\.\n$/;

export function dropBundlingProgress(): void {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string' && PROGRESS.test(chunk)
      ? true
      : write(chunk, ...rest)) as typeof process.stderr.write;
}
