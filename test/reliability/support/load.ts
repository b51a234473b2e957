/**
 * Load through the whole local stack: events sent to the site's events API over HTTP (100 per
 * request, a few requests at a time), in waves; after each wave the test waits until every event
 * of the wave has completed and reads the resident memory of `awl dev` and of the site, so the
 * figures show whether memory follows the number of completed runs (it should not).
 */
import { API_KEY, type FaultStack } from "./fault-stack.ts";
import { readMemory, sampleMemory } from "./memory.ts";

export interface WaveFigures {
  wave: number;
  completedSoFar: number;
  devRssMb: number;
  hostRssMb: number;
}

export interface LoadFigures {
  events: number;
  accepted: number;
  completed: number;
  deadLettered: number;
  lost: number;
  inconsistent: number;
  seconds: number;
  eventsPerSecond: number;
  peakRssMb: Record<string, number>;
  waves: WaveFigures[];
  stepExecutions: number;
  reRuns: number;
  completedStepsRunAgain: number;
}

async function sendBatch(stack: FaultStack, count: number): Promise<string[]> {
  const response = await fetch(`${stack.host.url}/awl/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(Array.from({ length: count }, (_, i) => ({ name: "chain", data: { steps: 3, i } }))),
  });
  if (response.status !== 202)
    throw new Error(`events API answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { events: { eventId: string; status: string }[] };
  return body.events.filter((event) => event.status === "accepted").map((event) => event.eventId);
}

export async function runLoad(
  stack: FaultStack,
  {
    events,
    waves,
    concurrency = 4,
    log = () => undefined,
  }: { events: number; waves: number; concurrency?: number; log?: (line: string) => void },
): Promise<LoadFigures> {
  const sampler = sampleMemory({ "awl dev": () => stack.dev.pid(), host: () => stack.host.pid() });
  const reconciler = stack.reconciler();
  const started = Date.now();
  const all: string[] = [];
  const series: WaveFigures[] = [];
  const perWave = Math.ceil(events / waves);
  try {
    for (let wave = 1; wave <= waves; wave++) {
      const count = Math.min(perWave, events - all.length);
      const batches = Array.from({ length: Math.ceil(count / 100) }, (_, i) =>
        Math.min(100, count - i * 100),
      );
      const ids: string[] = [];
      for (let i = 0; i < batches.length; i += concurrency) {
        const sent = await Promise.all(batches.slice(i, i + concurrency).map((n) => sendBatch(stack, n)));
        ids.push(...sent.flat());
      }
      all.push(...ids);
      const census = await stack.settle(ids, 300_000);
      if (census.lost)
        throw new Error(`wave ${wave}: ${census.lost} events not finished: ${JSON.stringify(census)}`);
      const figures: WaveFigures = {
        wave,
        completedSoFar: all.length,
        devRssMb: readMemory(stack.dev.pid())?.rssMb ?? NaN,
        hostRssMb: readMemory(stack.host.pid())?.rssMb ?? NaN,
      };
      series.push(figures);
      log(`wave ${wave}/${waves}: ${JSON.stringify(figures)}`);
    }
  } finally {
    await reconciler.stop();
    sampler.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const census = await stack.census(all);
  const ledger = await stack.ledger();
  return {
    events,
    accepted: census.accepted,
    completed: census.completed,
    deadLettered: census.deadLettered,
    lost: census.lost,
    inconsistent: census.inconsistent,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(census.completed / seconds),
    peakRssMb: sampler.peaks(),
    waves: series,
    stepExecutions: ledger.executions,
    reRuns: ledger.reRuns,
    completedStepsRunAgain: ledger.completedStepsRunAgain,
  };
}
