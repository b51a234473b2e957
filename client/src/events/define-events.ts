/**
 * Typed events: one catalog of zod schemas, keyed by event name, that types `client.send`, a
 * workload's `data`, and its step.waitForEvent and step.sendEvent at compile time, and validates
 * each at run time. Names match case-insensitively, as they do everywhere else.
 */
import type { z } from "zod";
import { issuesFromZod, type Issue } from "../engine/validation-error.ts";

export type EventSchemas = Record<string, z.ZodType>;

export interface EventCatalog<S extends EventSchemas = EventSchemas> {
  readonly schemas: S;
  /** Validates data for an event; names without a schema are accepted as they are. */
  validate(name: string, data: unknown, path?: (string | number)[]): { data: unknown } | { issues: Issue[] };
}

/** The data type of each event in a catalog. */
export type EventData<C> = C extends EventCatalog<infer S> ? { [N in keyof S]: z.output<S[N]> } : never;
export type EventInput<C> = C extends EventCatalog<infer S> ? { [N in keyof S]: z.input<S[N]> } : never;

/** A catalog's events as a workload's step API types them (engine/step.ts TypedEvents). */
export type CatalogEvents<C> = C extends EventCatalog
  ? { received: EventData<C>; sent: EventInput<C> }
  : undefined;

export function defineEvents<S extends EventSchemas>(schemas: S): EventCatalog<S> {
  const byLowerName = new Map(Object.entries(schemas).map(([name, schema]) => [name.toLowerCase(), schema]));
  return {
    schemas,
    validate(name, data, path = ["data"]) {
      const schema = byLowerName.get(name.toLowerCase());
      if (!schema) return { data };
      const result = schema.safeParse(data);
      return result.success ? { data: result.data } : { issues: issuesFromZod(result.error.issues, path) };
    },
  };
}
