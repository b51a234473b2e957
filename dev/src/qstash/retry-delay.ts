/**
 * How long a failed delivery waits before its next attempt. Without `Upstash-Retry-Delay` this is
 * QStash's documented backoff, min(1 day, e^(2.5·n)) seconds for the n-th retry (12 s, 2 m 28 s,
 * 30 m 8 s, ...). With it, the header is a math expression in `retried` (0 before the first retry)
 * giving milliseconds, e.g. `pow(2, retried) * 1000`. The expression comes from whoever publishes,
 * so it is parsed (jsep) into a tree and evaluated over a closed set of operators and functions:
 * nothing in it can reach JavaScript.
 */
import jsep from "jsep";

const DAY_MS = 86_400_000;

export function defaultRetryDelayMs(retried: number): number {
  return Math.min(DAY_MS, Math.exp(2.5 * (retried + 1)) * 1000);
}

export class RetryDelayError extends Error {}

type Evaluate = (retried: number) => number;

const FUNCTIONS: Record<string, { arity: [number, number]; apply: (...args: number[]) => number }> = {
  pow: { arity: [2, 2], apply: (x = 0, y = 0) => Math.pow(x, y) },
  sqrt: { arity: [1, 1], apply: (x = 0) => Math.sqrt(x) },
  abs: { arity: [1, 1], apply: (x = 0) => Math.abs(x) },
  exp: { arity: [1, 1], apply: (x = 0) => Math.exp(x) },
  floor: { arity: [1, 1], apply: (x = 0) => Math.floor(x) },
  ceil: { arity: [1, 1], apply: (x = 0) => Math.ceil(x) },
  round: { arity: [1, 1], apply: (x = 0) => Math.round(x) },
  min: { arity: [1, Infinity], apply: (...xs) => Math.min(...xs) },
  max: { arity: [1, Infinity], apply: (...xs) => Math.max(...xs) },
};

const BINARY: Record<string, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
};

function compileNode(node: jsep.Expression): Evaluate {
  switch (node.type) {
    case "Literal": {
      const { value } = node as jsep.Literal;
      if (typeof value !== "number") throw new RetryDelayError(`unexpected literal ${String(value)}`);
      return () => value;
    }
    case "Identifier": {
      const { name } = node as jsep.Identifier;
      if (name !== "retried")
        throw new RetryDelayError(`unknown variable "${name}" (only "retried" is defined)`);
      return (retried) => retried;
    }
    case "UnaryExpression": {
      const { operator, argument } = node as jsep.UnaryExpression;
      const inner = compileNode(argument);
      if (operator === "-") return (retried) => -inner(retried);
      if (operator === "+") return inner;
      throw new RetryDelayError(`unsupported operator "${operator}"`);
    }
    case "BinaryExpression": {
      const { operator, left, right } = node as jsep.BinaryExpression;
      const apply = BINARY[operator];
      if (!apply) throw new RetryDelayError(`unsupported operator "${operator}"`);
      const a = compileNode(left);
      const b = compileNode(right);
      return (retried) => apply(a(retried), b(retried));
    }
    case "CallExpression": {
      const { callee, arguments: args } = node as jsep.CallExpression;
      if (callee.type !== "Identifier") {
        throw new RetryDelayError(`only ${Object.keys(FUNCTIONS).join(", ")} can be called`);
      }
      const { name } = callee as jsep.Identifier;
      const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!fn) throw new RetryDelayError(`unknown function "${name}"`);
      const [least, most] = fn.arity;
      if (args.length < least || args.length > most) {
        throw new RetryDelayError(
          `${name} takes ${least === most ? least : `at least ${least}`} argument(s)`,
        );
      }
      const compiled = args.map(compileNode);
      return (retried) => fn.apply(...compiled.map((arg) => arg(retried)));
    }
    default:
      throw new RetryDelayError(`unsupported expression (${node.type})`);
  }
}

// Every message of a run tends to carry the same expression: parse each distinct one once.
const compiled = new Map<string, Evaluate>();
const CACHE_LIMIT = 1000;

/** Parses and checks an `Upstash-Retry-Delay` expression; throws RetryDelayError when it is not valid. */
export function compileRetryDelay(expression: string): Evaluate {
  const cached = compiled.get(expression);
  if (cached) return cached;
  let tree: jsep.Expression;
  try {
    tree = jsep(expression);
  } catch (error) {
    throw new RetryDelayError((error as Error).message);
  }
  const evaluate = compileNode(tree);
  const probe = evaluate(0);
  if (!Number.isFinite(probe))
    throw new RetryDelayError(`evaluates to ${probe}, not a number of milliseconds`);
  const safe: Evaluate = (retried) => {
    const ms = evaluate(retried);
    return Number.isFinite(ms) ? Math.max(0, ms) : DAY_MS;
  };
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(expression, safe);
  return safe;
}

/** Milliseconds to wait before the next attempt of a message that has been retried `retried` times. */
export function retryDelayMs(expression: string | undefined, retried: number): number {
  return expression === undefined ? defaultRetryDelayMs(retried) : compileRetryDelay(expression)(retried);
}
