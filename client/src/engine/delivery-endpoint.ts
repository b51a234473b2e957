/**
 * The shape every endpoint QStash delivers to shares (the router, each workload): resolve the
 * runtime (a site without the Upstash environment gets a 500 naming the missing variables),
 * authenticate and parse the delivery, do the endpoint's work, and turn a failure of Redis or the
 * network into a 503 so that QStash delivers again — safe, because every endpoint's work is idempotent.
 */
import { jsonResponse, readDelivery } from "../transport/inbound.ts";
import { MissingEnvironmentError, runtimeFromEnv, type Runtime } from "./runtime.ts";
import { DELIVER_AGAIN_HEADER } from "./undelivered.ts";

export type DeliveryWork = (runtime: Runtime, body: Record<string, unknown>) => Promise<Response>;

export async function handleDelivery(
  request: Request,
  runtime: Runtime | undefined,
  work: DeliveryWork,
): Promise<Response> {
  let resolved: Runtime;
  try {
    resolved = runtime ?? runtimeFromEnv();
  } catch (error) {
    if (error instanceof MissingEnvironmentError) return jsonResponse(500, { error: error.message });
    throw error;
  }
  const delivery = await readDelivery(request, resolved.verifier);
  if ("response" in delivery) return delivery.response;
  return work(resolved, delivery.body);
}

/** 200 with the work's report, or 503 (logged, and marked as the engine's own) when it could not be done. */
export async function respond(
  runtime: Runtime,
  what: string,
  work: () => Promise<unknown>,
): Promise<Response> {
  try {
    return jsonResponse(200, await work());
  } catch (error) {
    const message = `${what} failed: ${(error as Error).message}`;
    runtime.log(`awl: ${message}`);
    // Marked, so that QStash giving up on it is not a failed attempt of the run (see undelivered.ts).
    const response = jsonResponse(503, { error: message });
    response.headers.set(DELIVER_AGAIN_HEADER, "true");
    return response;
  }
}
