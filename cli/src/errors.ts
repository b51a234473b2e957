/**
 * How a command ends when it cannot do its job: the message a user reads and the exit code a
 * script checks (1 failure, 2 usage). Events API failures get a hint saying what to do next.
 */
import { EventsApiError } from "@awl/client/api-client";

/** The command was called wrongly (a missing selector, bad JSON in --data): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface Failure {
  message: string;
  exitCode: 1 | 2;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { message: error.message, exitCode: 2 };
  if (error instanceof EventsApiError) return { message: describeApiError(error), exitCode: 1 };
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1 };
}

function describeApiError(error: EventsApiError): string {
  switch (error.reason) {
    case "unreachable":
      return (
        `${error.message}\n` +
        "Is the site running? Start it with `npm run dev` (or `netlify dev`), or point awl at it with " +
        "--site or AWL_SITE_URL."
      );
    case "unauthorized":
      return (
        `${error.message}\n` +
        "The site rejected the API key: use its AWL_API_KEY (--api-key, AWL_API_KEY in the environment or in ./.env)."
      );
    case "invalid":
      return [
        "the events API refused the request:",
        ...error.issues.map((issue) => `  ${issue.path.join(".") || "(input)"}: ${issue.message}`),
      ].join("\n");
    default:
      return error.message;
  }
}
