/**
 * The class path and main class that start DynamoDB Local through LoopbackDynamoDbLocal.java. The launcher
 * is compiled once (with the JDK compiler module the Java runtime ships, through `java -m`) into a cache
 * directory keyed by its source, so a start does not pay for compiling it; where that fails, the JVM runs
 * the source file directly (source-file mode compiles it in memory on every start).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));
const MAIN_CLASS = 'LoopbackDynamoDbLocal';

/** The java arguments between the JVM options and DynamoDB Local's own arguments. */
export function launcherArgs(jar: string): string[] {
  const key = createHash('sha256').update(readFileSync(SOURCE)).update(jar).digest('hex').slice(0, 16);
  const classes = join(tmpdir(), 'dynamodb-local-launcher', key);
  if (!existsSync(join(classes, `${MAIN_CLASS}.class`))) {
    // Compiled aside and renamed into place: a process starting at the same time never sees half a class.
    const building = `${classes}.${process.pid}`;
    mkdirSync(building, { recursive: true });
    const compiled = spawnSync(
      'java',
      ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-nowarn', '-cp', jar, '-d', building, SOURCE],
      { stdio: 'ignore', timeout: 120_000 },
    );
    if (compiled.status !== 0) return ['-cp', jar, SOURCE];
    try {
      renameSync(building, classes);
    } catch {
      // Another process got there first; its classes are the same.
      rmSync(building, { recursive: true, force: true });
    }
  }
  return ['-cp', `${jar}${delimiter}${classes}`, MAIN_CLASS];
}
