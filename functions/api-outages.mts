/**
 * /api/outages: switches the demo providers' outages while `netlify dev` runs (see
 * _shared/outages.ts). Only under `netlify dev`: a deployed demo takes `DEMO_OUTAGE` instead.
 *
 *   curl localhost:8888/api/outages
 *   curl -X POST localhost:8888/api/outages -d '{"provider":"payment","mode":"unauthorized"}'
 *   curl -X POST localhost:8888/api/outages -d '{"provider":"payment","mode":"up"}'
 */
import { z } from "zod";
import { currentOutage, MODES, PROVIDERS, setOutage } from "./_shared/outages.ts";

const switchSchema = z.object({ provider: z.enum(PROVIDERS), mode: z.enum([...MODES, "up"]) });

export default async function outages(request: Request): Promise<Response> {
  if (process.env.CONTEXT !== "dev") {
    return Response.json({ error: "outage switches work under netlify dev only" }, { status: 404 });
  }
  if (request.method === "POST") {
    const change = switchSchema.safeParse(await request.json().catch(() => undefined));
    if (!change.success) {
      return Response.json(
        { error: `expected { provider: ${PROVIDERS.join("|")}, mode: ${[...MODES, "up"].join("|")} }` },
        { status: 400 },
      );
    }
    await setOutage(change.data.provider, change.data.mode);
    console.log(`[demo] ${change.data.provider} is now ${change.data.mode}`);
  }
  const state = await Promise.all(
    PROVIDERS.map(async (provider) => [provider, (await currentOutage(provider)) ?? "up"]),
  );
  return Response.json(Object.fromEntries(state));
}

export const config = { path: "/api/outages" };
