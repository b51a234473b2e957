/**
 * Event conditions: the `if` of step.waitForEvent (and, as a string, of a cancelOn rule), a small
 * expression over `event` (the arriving event) and `async` (the run's triggering event), such as
 * `event.data.amount >= async.data.min && event.data.currency == 'EUR'`.
 *
 * A wait's condition is checked in Redis when an event is routed (lib.lua deliver_waits), where no
 * JavaScript runs, so it is parsed here (jsep) into a small JSON tree over a closed grammar, its
 * `async` paths are replaced by the triggering event's values (`bindTrigger`: known when the wait is
 * registered), and store/scripts/lib-condition.lua evaluates what is left. `evaluateCondition` here
 * is the reference for that interpreter: event-condition.test.ts runs both on one table of cases.
 *
 * Semantics, the same on both sides:
 * - a path (`event.data.items[0].sku`) reads own fields of objects and indexes of arrays; anything
 *   missing reads as null;
 * - `==` / `!=` compare scalars (strings, numbers, booleans) by type and value, and null (or a
 *   missing value) equals only null; an object or array equals nothing;
 * - `<`, `<=`, `>`, `>=` compare two numbers, or two strings (by code point); otherwise false;
 * - `&&`, `||`, `!` take truthiness: false, null, 0 and "" are falsy, everything else truthy; the
 *   condition holds when its value is truthy.
 */
import jsep from "jsep";

export type ConditionRoot = "event" | "async";
export type CompareOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A parsed condition, as stored with a waiter (JSON; arrays keep it compact and ordered for Lua). */
export type ConditionNode =
  | ["lit", ConditionValue]
  | ["get", ConditionRoot, ...(string | number)[]]
  | ["!", ConditionNode]
  | ["&&" | "||" | CompareOperator, ConditionNode, ConditionNode];

/** A value a condition reads: JSON, with null for anything missing. */
export type ConditionValue = null | boolean | number | string | readonly unknown[] | object;

/** What a condition sees of an event. */
export interface ConditionEvent {
  eventId?: string;
  name: string;
  data: unknown;
}

export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConditionError";
  }
}

/** Longest accepted source, and deepest nesting: a condition is evaluated inside a Redis script. */
export const MAX_CONDITION_LENGTH = 1024;
export const MAX_CONDITION_DEPTH = 32;

const COMPARE = new Set<string>(["==", "!=", "<", "<=", ">", ">="]);
/** JavaScript's strict operators mean the same here: there is no loose equality to tell them from. */
const SYNONYMS: Record<string, CompareOperator> = { "===": "==", "!==": "!=" };
const OPERATORS = "==, !=, <, <=, >, >=, &&, ||, !";

/** Parses a condition; throws a ConditionError naming the problem (and where, for a syntax error). */
export function parseCondition(source: string): ConditionNode {
  if (typeof source !== "string" || source.trim() === "") {
    throw new ConditionError('must be a non-empty expression such as "event.data.amount >= 100"');
  }
  if (source.length > MAX_CONDITION_LENGTH) {
    throw new ConditionError(`is ${source.length} characters long; at most ${MAX_CONDITION_LENGTH}`);
  }
  let tree: jsep.Expression;
  try {
    tree = jsep(source);
  } catch (error) {
    throw new ConditionError((error as Error).message);
  }
  return toNode(tree, 0);
}

function toNode(node: jsep.Expression, depth: number): ConditionNode {
  if (depth > MAX_CONDITION_DEPTH)
    throw new ConditionError(`nests deeper than ${MAX_CONDITION_DEPTH} levels`);
  switch (node.type) {
    case "Literal": {
      const { value } = node as jsep.Literal;
      if (value instanceof RegExp) throw new ConditionError("regular expressions are not supported");
      return ["lit", value];
    }
    case "Identifier":
    case "MemberExpression":
      return ["get", ...path(node)];
    case "UnaryExpression": {
      const { operator, argument } = node as jsep.UnaryExpression;
      if (operator === "!") return ["!", toNode(argument, depth + 1)];
      // A negative number is written with a minus: fold it into the literal.
      const literal = argument as jsep.Literal;
      if (operator === "-" && argument.type === "Literal" && typeof literal.value === "number") {
        return ["lit", -literal.value];
      }
      throw new ConditionError(`operator "${operator}" is not supported (use ${OPERATORS})`);
    }
    case "BinaryExpression": {
      const { left, right } = node as jsep.BinaryExpression;
      const operator =
        SYNONYMS[(node as jsep.BinaryExpression).operator] ?? (node as jsep.BinaryExpression).operator;
      if (operator !== "&&" && operator !== "||" && !COMPARE.has(operator)) {
        throw new ConditionError(`operator "${operator}" is not supported (use ${OPERATORS})`);
      }
      return [operator as "&&" | "||" | CompareOperator, toNode(left, depth + 1), toNode(right, depth + 1)];
    }
    case "Compound":
      throw new ConditionError("must be one expression (join conditions with && or ||)");
    case "CallExpression":
      throw new ConditionError("function calls are not supported");
    case "ConditionalExpression":
      throw new ConditionError("the ?: operator is not supported (use && and ||)");
    default:
      throw new ConditionError(`${node.type} is not supported (use paths, literals and ${OPERATORS})`);
  }
}

/** `event.data.items[0]` as ["event", "data", "items", 0]: a root, then names and indexes. */
function path(node: jsep.Expression): [ConditionRoot, ...(string | number)[]] {
  const parts: (string | number)[] = [];
  let at = node;
  while (at.type === "MemberExpression") {
    const member = at as jsep.MemberExpression;
    const property = member.property;
    if (!member.computed) parts.unshift((property as jsep.Identifier).name);
    else if (property.type === "Literal" && typeof (property as jsep.Literal).value === "string") {
      parts.unshift((property as jsep.Literal).value as string);
    } else if (property.type === "Literal" && Number.isInteger((property as jsep.Literal).value)) {
      const index = (property as jsep.Literal).value as number;
      if (index < 0) throw new ConditionError(`index ${index} must be 0 or more`);
      parts.unshift(index);
    } else {
      throw new ConditionError("an index must be a literal: items[0] or data['some-key']");
    }
    at = member.object;
  }
  if (at.type !== "Identifier") throw new ConditionError("a path must start with event. or async.");
  const root = (at as jsep.Identifier).name;
  if (root !== "event" && root !== "async") {
    throw new ConditionError(
      `unknown name "${root}": a path starts with event. (the arriving event) or async. (the run's)`,
    );
  }
  return [root, ...parts];
}

/** The condition with its `async` paths replaced by the triggering event's values: what a waiter stores. */
export function bindTrigger(node: ConditionNode, trigger: ConditionEvent): ConditionNode {
  switch (node[0]) {
    case "lit":
      return node;
    case "get":
      return node[1] === "async" ? ["lit", read(trigger, node.slice(2) as (string | number)[])] : node;
    case "!":
      return ["!", bindTrigger(node[1], trigger)];
    default:
      return [node[0], bindTrigger(node[1], trigger), bindTrigger(node[2], trigger)];
  }
}

/** Whether the condition holds for these events (`async` may be left out once bound). */
export function evaluateCondition(
  node: ConditionNode,
  scope: { event: ConditionEvent; async?: ConditionEvent },
): boolean {
  return truthy(valueOf(node, scope));
}

function valueOf(
  node: ConditionNode,
  scope: { event: ConditionEvent; async?: ConditionEvent },
): ConditionValue {
  switch (node[0]) {
    case "lit":
      return node[1];
    case "get": {
      const root = node[1] === "event" ? scope.event : scope.async;
      return root === undefined ? null : read(root, node.slice(2) as (string | number)[]);
    }
    case "!":
      return !truthy(valueOf(node[1], scope));
    case "&&":
      return truthy(valueOf(node[1], scope)) && truthy(valueOf(node[2], scope));
    case "||":
      return truthy(valueOf(node[1], scope)) || truthy(valueOf(node[2], scope));
    default:
      return compare(node[0], valueOf(node[1], scope), valueOf(node[2], scope));
  }
}

/** The value at a path: own fields of (non-array) objects by name, array items by index; else null. */
function read(root: unknown, parts: readonly (string | number)[]): ConditionValue {
  let value = root;
  for (const part of parts) {
    if (typeof part === "number") {
      if (!Array.isArray(value) || part >= value.length) return null;
      value = value[part] as unknown;
    } else {
      if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, part))
        return null;
      value = (value as Record<string, unknown>)[part];
    }
    if (value === undefined || value === null) return null;
  }
  return value as ConditionValue;
}

function truthy(value: ConditionValue): boolean {
  return !(value === null || value === false || value === 0 || value === "");
}

function isScalar(value: ConditionValue): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function compare(operator: CompareOperator, a: ConditionValue, b: ConditionValue): boolean {
  if (operator === "==") return equal(a, b);
  if (operator === "!=") return !equal(a, b);
  let order: number;
  if (typeof a === "number" && typeof b === "number") order = a < b ? -1 : a > b ? 1 : 0;
  // By code point (UTF-8 byte order), as Lua compares bytes: not by UTF-16 unit, as JavaScript's < does.
  else if (typeof a === "string" && typeof b === "string")
    order = Buffer.compare(Buffer.from(a), Buffer.from(b));
  else return false;
  switch (operator) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    default:
      return order >= 0;
  }
}

function equal(a: ConditionValue, b: ConditionValue): boolean {
  if (a === null || b === null) return a === b;
  return isScalar(a) && typeof a === typeof b && a === b;
}

/** A condition as a function of both events: a cancelOn rule's string `if`, evaluated in the router. */
export function conditionFunction(
  source: string,
): (events: { event: ConditionEvent; trigger: ConditionEvent }) => boolean {
  const node = parseCondition(source);
  return ({ event, trigger }) => evaluateCondition(node, { event, async: trigger });
}
