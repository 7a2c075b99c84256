/**
 * Turns zod schemas into JSON Schemas for the OpenAPI document. zod emits each named schema (`.meta({id})`)
 * under the converted schema's own `$defs` with `#/$defs/<id>` refs, which OpenAPI 3.1 resolves from the
 * document root, where nothing is. This collects every named schema once under `components/schemas` and
 * points the refs there, so every reference in the document resolves.
 */
import { isDeepStrictEqual } from 'node:util';
import * as z from '../core/zod.ts';

export type JsonSchema = Record<string, unknown>;

const DEFS_REF = /^#\/\$defs\/(.+)$/;

export class ComponentSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  /** The JSON Schema of `schema` as a request (`input`) or a response (`output`) sees it. */
  convert(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = converted;
    // Definitions may refer to each other; a name not chosen yet is taken to be its id.
    const names = new Map<string, string>();
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
      names.set(id, this.register(id, io, rewriteRefs(definition, names) as JsonSchema));
    return rewriteRefs(rest, names) as JsonSchema;
  }

  /** Registers a named definition; the same name with a different shape (input vs output) gets a suffix. */
  private register(id: string, io: 'input' | 'output', definition: JsonSchema): string {
    for (const name of [id, `${id}${io === 'input' ? 'Input' : 'Output'}`]) {
      const existing = this.schemas[name];
      if (existing === undefined) {
        this.schemas[name] = definition;
        return name;
      }
      if (isDeepStrictEqual(existing, definition)) return name;
    }
    throw new Error(`two different schemas are both named ${id}`);
  }
}

function rewriteRefs(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const match = key === '$ref' && typeof item === 'string' ? DEFS_REF.exec(item) : null;
      if (!match) return [key, rewriteRefs(item, names)];
      const id = decodeURIComponent(match[1] ?? '');
      return [key, `#/components/schemas/${names.get(id) ?? id}`];
    }),
  );
}
