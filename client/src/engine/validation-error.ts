/**
 * The one error every refused input becomes: a list of issues, each with the path of the field and
 * what is wrong with it. The API turns it into a 400 body; the client throws it as is. It is an
 * ErrorDoNotRetry: the same input is refused the same way every time, so a workload whose send is
 * refused (data failing the catalog's schema, say) is dead-lettered at once instead of retried.
 */
import { ErrorDoNotRetry } from "./errors.ts";

export interface Issue {
  path: (string | number)[];
  message: string;
}

export class InvalidInputError extends ErrorDoNotRetry {
  /** `context`, when given, opens the message: what was refused, where the issues' paths start. */
  constructor(
    readonly issues: Issue[],
    context?: string,
  ) {
    const listed = issues.map((issue) => `${issue.path.join(".") || "(input)"}: ${issue.message}`).join("; ");
    super(context ? `${context}: ${listed}` : listed);
    this.name = "InvalidInputError";
  }
}

export function issuesFromZod(
  zodIssues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: (string | number)[] = [],
): Issue[] {
  return zodIssues.map((issue) => ({
    path: [...prefix, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))],
    message: issue.message,
  }));
}
