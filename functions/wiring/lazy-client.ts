/**
 * An AWS SDK client constructed on its first use instead of at module load. Constructing a client costs
 * milliseconds of a cold start (resolving its configuration loads parts of the SDK lazily: ~3.5 ms of CPU
 * for S3 after DynamoDB and SQS, measured on 2 busy cores), so a client that most invocations never use (S3,
 * only for large payloads) is built when needed. The returned object stands for the client in every
 * respect: its properties, methods (called on it, `this` is the stand-in, which forwards everything),
 * prototype (`instanceof` holds) and middleware stack. A client that every invocation uses (DynamoDB)
 * stays eager: deferring it would only move the time. SQS is lazy too (sqs-client.ts): the worker and the
 * stream consumer send only for retries, continuations and released dependants.
 */
export function lazyClient<T extends object>(create: () => T): T {
  let client: T | undefined;
  const real = (): T => {
    client ??= create();
    return client;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
