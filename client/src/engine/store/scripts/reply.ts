/**
 * Reading script replies as Redis hands them back through the REST API (automatic deserialization
 * off): a Lua table arrives as an array, a Lua string as a string, a Lua number as an integer. The
 * wrappers beside each script decode their reply with these, in one place each.
 */

/** A reply that must be an array (a Lua table); anything else is a broken script. */
export function asList(script: string, reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error(`${script}.lua: expected a list reply, got ${typeof reply}`);
  return reply;
}

/** A flat field/value list as pairs (a hash reply, or a script's flat list of pairs). */
export function pairs(flat: readonly unknown[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** A flat list cut into groups of `width` values (a trailing partial group is left out). */
export function groups(flat: readonly unknown[], width: number): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i + width - 1 < flat.length; i += width) out.push(flat.slice(i, i + width));
  return out;
}
