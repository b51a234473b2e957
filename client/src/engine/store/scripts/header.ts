/**
 * The header every engine script opens with, read by machine: its `-- KEYS:`, `-- ARGV:` and
 * `-- Reply:` lines. The ARGV line is the one source of a script's argument order. From it,
 * scripts/generate-lua-sources.ts writes the script's binding block (the Lua locals its body reads
 * its arguments through) and the TypeScript argument type its wrapper passes (generated.ts), and
 * run.ts lays an arguments object out in that order. scripts.test.ts checks all three agree.
 *
 * ARGV grammar, items separated by ", " (a script's scalars first, then its lists):
 *   name                 one value
 *   name[count]          `count` values; `count` is an earlier scalar, filled in from the list's length
 *   name[count]{a, b}    `count` groups of the fields a, b
 *   ...name              every remaining value (the last item only)
 *   ...name{a, b}        every remaining value, in groups of the fields a, b (the last item only)
 * Every script's first argument is `prefix` (lib.lua builds every key from it), so scripts take no KEYS.
 */

export interface ScalarArg {
  kind: "scalar";
  name: string;
}

export interface ListArg {
  kind: "list";
  name: string;
  /** The scalar that carries the list's length; none for a rest list (the last item). */
  count?: string;
  /** The fields of each group; none for a list of single values. */
  fields?: string[];
}

export type ArgSpec = ScalarArg | ListArg;

export interface ScriptHeader {
  keys: string;
  argv: ArgSpec[];
  reply: string;
}

const NAME = /^[a-z][A-Za-z0-9]*$/;

/** Splits on ", " outside braces. */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "{") depth++;
    if (char === "}") depth--;
    if (char === "," && depth === 0) {
      items.push(current.trim());
      current = "";
    } else current += char;
  }
  items.push(current.trim());
  return items;
}

export function parseArgv(line: string, script = "script"): ArgSpec[] {
  const fail = (why: string): never => {
    throw new Error(`${script}.lua: ARGV header: ${why}`);
  };
  const specs: ArgSpec[] = [];
  const items = splitItems(line);
  items.forEach((item, index) => {
    const match = /^(\.\.\.)?([^[{]+)(?:\[([^\]]+)\])?(?:\{([^}]*)\})?$/.exec(item);
    if (!match) return fail(`cannot read "${item}"`);
    const [, rest, name = "", count, fields] = match as (string | undefined)[];
    if (!NAME.test(name)) fail(`"${name}" is not a name`);
    const groupFields = fields?.split(",").map((field) => field.trim());
    for (const field of groupFields ?? [])
      if (!NAME.test(field)) fail(`"${field}" in ${name}{} is not a name`);
    if (!rest && count == null && groupFields == null) {
      if (specs.some((spec) => spec.kind === "list")) fail(`scalar "${name}" after a list`);
      specs.push({ kind: "scalar", name });
      return;
    }
    if (rest && count != null) fail(`"${item}": a rest list takes no count`);
    if (!rest && count == null) fail(`"${item}": a list needs a [count] or a leading ...`);
    if (rest && index !== items.length - 1) fail(`"${item}": only the last item may be a rest list`);
    if (count != null && !specs.some((spec) => spec.kind === "scalar" && spec.name === count)) {
      fail(`"${item}": its count "${count}" is not an earlier scalar`);
    }
    specs.push({
      kind: "list",
      name,
      ...(count != null ? { count } : {}),
      ...(groupFields ? { fields: groupFields } : {}),
    });
  });
  const names = specs.flatMap((spec) => [spec.name]);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) fail(`"${duplicate}" appears twice`);
  if (specs[0]?.kind !== "scalar" || specs[0].name !== "prefix") fail("the first argument must be prefix");
  return specs;
}

/** Reads the KEYS, ARGV and Reply lines of a script's opening comment. */
export function parseHeader(source: string, script = "script"): ScriptHeader {
  const lines = source.split("\n");
  const end = lines.findIndex((line) => !line.startsWith("--"));
  const opening = end < 0 ? lines : lines.slice(0, end);
  const line = (label: string): string => {
    const found = opening.filter((text) => text.startsWith(`-- ${label}: `));
    if (found.length !== 1) {
      throw new Error(`${script}.lua: the header needs exactly one "-- ${label}: " line`);
    }
    return found[0]!.slice(`-- ${label}: `.length).trim();
  };
  return { keys: line("KEYS"), argv: parseArgv(line("ARGV"), script), reply: line("Reply") };
}

/** Fields that the encoder fills in from a list's length: the caller does not pass them. */
export function countFields(argv: ArgSpec[]): Set<string> {
  return new Set(argv.flatMap((spec) => (spec.kind === "list" && spec.count ? [spec.count] : [])));
}

export const BINDING_START = "-- ARGV, bound by name (generated from the header: npm run generate:lua)";
export const BINDING_END = "-- end of generated ARGV";

/**
 * The Lua that binds a script's arguments by the header's names: every scalar but prefix as a
 * string local, and each list as `<name>_count` (its length: values, or groups of fields) and
 * `<name>_item(i)` (its i-th value, or the fields of its i-th group in the header's order; from 1).
 */
export function renderBinding(argv: ArgSpec[]): string {
  const lines = [BINDING_START];
  let at = "";
  argv.forEach((spec, index) => {
    if (spec.kind === "scalar") {
      if (spec.name !== "prefix") lines.push(`local ${spec.name} = ARGV[${index + 1}]`);
      return;
    }
    const width = spec.fields?.length ?? 1;
    const first = at ? `(${at})` : String(index + 1);
    const count = spec.count
      ? `tonumber(${spec.count})`
      : width === 1
        ? `#ARGV - ${first} + 1`
        : `math.floor((#ARGV - ${first} + 1) / ${width})`;
    lines.push(`local ${spec.name}_count = ${count}`);
    const base = width === 1 ? `${first} + i - 1` : `${first} + (i - 1) * ${width}`;
    const values = (spec.fields ?? [spec.name]).map((_, i) => (i === 0 ? "ARGV[b]" : `ARGV[b + ${i}]`));
    lines.push(`local function ${spec.name}_item(i) local b = ${base} return ${values.join(", ")} end`);
    at = width === 1 ? `${first} + ${spec.name}_count` : `${first} + ${spec.name}_count * ${width}`;
  });
  lines.push(BINDING_END);
  return lines.join("\n");
}

/** The script with its binding block rewritten from its header (placed after the header when new). */
export function withBinding(source: string, script = "script"): string {
  const binding = renderBinding(parseHeader(source, script).argv);
  const start = source.indexOf(BINDING_START);
  if (start >= 0) {
    const end = source.indexOf(BINDING_END, start);
    if (end < 0) throw new Error(`${script}.lua: "${BINDING_START}" without "${BINDING_END}"`);
    return source.slice(0, start) + binding + source.slice(end + BINDING_END.length);
  }
  const lines = source.split("\n");
  const headerEnd = lines.findIndex((line) => !line.startsWith("--"));
  return [...lines.slice(0, headerEnd), binding, ...lines.slice(headerEnd)].join("\n");
}

/** The TypeScript type of a script's arguments object (count fields left out: they are derived). */
export function renderArgvType(argv: ArgSpec[]): string {
  const counts = countFields(argv);
  const members = argv.flatMap((spec): string[] => {
    if (spec.kind === "scalar") {
      if (counts.has(spec.name)) return [];
      return [`${spec.name}: ${spec.name === "prefix" ? "string" : "ScriptArg"};`];
    }
    const item = spec.fields
      ? `{ ${spec.fields.map((field) => `${field}: ScriptArg;`).join(" ")} }`
      : "ScriptArg";
    return [`${spec.name}: readonly ${item}[];`];
  });
  return `{ ${members.join(" ")} }`;
}
