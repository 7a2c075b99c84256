/**
 * Where a local stream reader keeps its place, as a Lambda event source mapping keeps its checkpoint: per
 * shard, the last sequence number delivered, and whether a closed shard was read to its end. Without it a
 * restarted reader would start at the stream's end and never deliver the changes of its last moments (the
 * records gathered in a batching window when it stopped), so the statistics would miss them.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ShardPosition {
  /** The last sequence number delivered (or skipped) in the shard. */
  after?: string;
  /** The shard is closed and was read to its end. */
  drained?: boolean;
}

export type ShardPositions = Record<string, ShardPosition>;

export interface StreamCheckpoints {
  /** The positions saved for this stream, or undefined when the reader has never read it. */
  load(streamArn: string): Promise<ShardPositions | undefined>;
  save(streamArn: string, positions: ShardPositions): Promise<void>;
}

interface CheckpointFile {
  streamArn: string;
  shards: ShardPositions;
}

/** Checkpoints in a JSON file, replaced atomically on each save; a file of another stream counts as none. */
export function fileCheckpoints(path: string): StreamCheckpoints {
  return {
    async load(streamArn) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const saved = JSON.parse(text) as CheckpointFile;
      return saved.streamArn === streamArn ? saved.shards : undefined;
    },
    async save(streamArn, shards) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ streamArn, shards } satisfies CheckpointFile));
      await rename(temporary, path);
    },
  };
}

/** Saves the latest positions one write at a time; a save asked for during a write follows it. */
export function checkpointWriter(
  checkpoints: StreamCheckpoints,
  streamArn: string,
  snapshot: () => ShardPositions,
  onError: (error: unknown) => void,
): { save(): void; flush(): Promise<void> } {
  let writing: Promise<void> | undefined;
  let again = false;
  const write = async (): Promise<void> => {
    do {
      again = false;
      await checkpoints.save(streamArn, snapshot()).catch(onError);
    } while (again);
    writing = undefined;
  };
  return {
    save() {
      if (writing) again = true;
      else writing = write();
    },
    async flush() {
      await writing;
    },
  };
}
