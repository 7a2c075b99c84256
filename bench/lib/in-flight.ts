/**
 * Time spent awaiting AWS: how long at least one SDK request of the functions' clients was on the wire
 * (section overhead). A middleware innermost in the SDK's stack (step `deserialize`, low priority: inside
 * the deserializer, so around the HTTP handler alone) marks each request's start and end; overlapping
 * requests count once (the union of their intervals), so wall − in flight is the handler's own time:
 * its code, the SDK's serialisation, signing and parsing. On AWS the in-flight part is the services'
 * latency; here it is the local emulators'.
 */

/** Any SDK v3 client: what a middleware is added to. */
// biome-ignore lint/suspicious/noExplicitAny: the middleware stacks of every SDK client
export type MiddlewareClient = { middlewareStack: { add(middleware: any, options: any): void } };

export class InFlightTimer {
  #active = 0;
  #since = 0;
  #total = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A request went out. */
  begin(): void {
    if (this.#active++ === 0) this.#since = this.now();
  }

  /** A request came back (or failed). */
  end(): void {
    if (this.#active === 0) throw new Error('InFlightTimer: end() without begin()');
    if (--this.#active === 0) this.#total += this.now() - this.#since;
  }

  /** Milliseconds with at least one request in flight so far (including the current stretch). */
  elapsed(): number {
    return this.#total + (this.#active > 0 ? this.now() - this.#since : 0);
  }

  attach(client: MiddlewareClient): void {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        this.begin();
        try {
          return await next(args);
        } finally {
          this.end();
        }
      },
      { step: 'deserialize', priority: 'low', name: 'benchInFlightTimer' },
    );
  }
}
