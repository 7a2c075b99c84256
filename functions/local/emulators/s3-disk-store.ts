/**
 * The S3 side of the fauxqs emulator, kept on disk: fauxqs 1.x holds objects in memory only, but a job's
 * params and result must survive a restart of `npm start` like the rest of its state. Each object is a
 * file under `<dir>/<bucket>/` (its key URI-encoded) with a `.meta` file beside it; bodies are read from
 * disk when asked for, so large results do not stay in memory. Loaded from fauxqs's installed files (its
 * exports map only has the app), like the queue patches in sqs-emulator.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFauxqsFile } from './sqs-emulator.ts';

interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

interface FauxqsS3Store {
  buckets: Map<string, Map<string, StoredObject>>;
  createBucket(name: string): void;
  putObject(...args: unknown[]): StoredObject;
  deleteObject(bucket: string, key: string): void;
  completeMultipartUpload(...args: unknown[]): StoredObject;
}

type S3StoreClass = new () => FauxqsS3Store;

const META = '.meta';

/** A fauxqs S3 store that keeps its buckets and objects under `dir`. */
export async function diskS3Store(dir: string): Promise<FauxqsS3Store> {
  const mod = (await import(pathToFileURL(findFauxqsFile(join('dist', 's3', 's3Store.js'))).href)) as {
    S3Store: S3StoreClass;
  };
  const store = new (diskBacked(mod.S3Store, dir))();
  return store;
}

function diskBacked(Base: S3StoreClass, dir: string): S3StoreClass {
  const fileOf = (bucket: string, key: string) => join(dir, bucket, encodeURIComponent(key));
  /** The object as the store keeps it: everything but the body, which is read from disk when used. */
  const lazy = (bucket: string, meta: Omit<StoredObject, 'body'>): StoredObject => {
    const file = fileOf(bucket, meta.key);
    return {
      ...meta,
      get body() {
        return readFileSync(file);
      },
    };
  };
  const save = (bucket: string, object: StoredObject): StoredObject => {
    const file = fileOf(bucket, object.key);
    writeFileSync(file, object.body);
    const { body: _body, ...meta } = object;
    writeFileSync(`${file}${META}`, JSON.stringify(meta));
    return lazy(bucket, meta);
  };

  return class DiskS3Store extends Base {
    constructor() {
      super();
      mkdirSync(dir, { recursive: true });
      for (const bucket of readdirSync(dir)) {
        super.createBucket(bucket);
        const objects = this.buckets.get(bucket);
        for (const name of readdirSync(join(dir, bucket)).filter((file) => file.endsWith(META))) {
          const meta = JSON.parse(readFileSync(join(dir, bucket, name), 'utf8'));
          objects?.set(meta.key, lazy(bucket, { ...meta, lastModified: new Date(meta.lastModified) }));
        }
      }
    }

    override createBucket(name: string): void {
      mkdirSync(join(dir, name), { recursive: true });
      super.createBucket(name);
    }

    override putObject(...args: unknown[]): StoredObject {
      const object = super.putObject(...args);
      return this.#keep(args[0] as string, object);
    }

    override completeMultipartUpload(...args: unknown[]): StoredObject {
      const object = super.completeMultipartUpload(...args);
      const bucket = [...this.buckets].find(([, objects]) => objects.get(object.key) === object)?.[0];
      return bucket === undefined ? object : this.#keep(bucket, object);
    }

    override deleteObject(bucket: string, key: string): void {
      super.deleteObject(bucket, key);
      const file = fileOf(bucket, key);
      rmSync(file, { force: true });
      rmSync(`${file}${META}`, { force: true });
    }

    #keep(bucket: string, object: StoredObject): StoredObject {
      const kept = save(bucket, object);
      this.buckets.get(bucket)?.set(object.key, kept);
      return kept;
    }
  };
}
