/**
 * BullMQ: one queue and one worker per workload on the application Redis, the multi-step job as
 * BullMQ's "process step jobs" guide has it: the job's data holds the step it is at and the results
 * so far, saved with `job.updateData` after every step (so a crash resumes after the last completed
 * step, like our journal), and a sleep is `moveToDelayed` + `DelayedError`. Sending an event adds
 * one job to each subscribed workload's queue. A run is done at the worker's `completed` event.
 */
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { stepResult, eventData, type System } from "./types.ts";

interface StepData {
  seq: number;
  /** Index of the next stage: with a sleep, 0 = "before", 1 = the sleep, then the steps. */
  stage?: number;
  sleepUntil?: number;
  results?: Record<string, unknown>;
}

let deployments = 0;

export const bullmq: System = {
  id: "bullmq",
  label: "BullMQ",
  async deploy(specs, env) {
    const { tracker } = env;
    const port = env.appRedis.port;
    const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
    env.wire.label("to", port, "redis");
    const prefix = `bull${(deployments += 1)}`;
    const queues = new Map<string, Queue>();
    const workers: Worker[] = [];
    for (const spec of specs) {
      const stages = [
        ...(spec.sleepMs ? ["before", "sleep"] : []),
        ...Array.from({ length: spec.steps }, (_, i) => `step-${i}`),
      ];
      const processor = async (job: Job<StepData>, token?: string) => {
        const data: StepData = { ...job.data, results: { ...job.data.results } };
        for (let stage = data.stage ?? 0; stage < stages.length; stage++) {
          const name = stages[stage]!;
          if (name === "sleep") {
            if (data.sleepUntil === undefined) {
              tracker.sleepStarted(job.id!);
              data.sleepUntil = Date.now() + spec.sleepMs!;
              data.stage = stage;
              await job.updateData(data);
              await job.moveToDelayed(data.sleepUntil, token);
              throw new DelayedError();
            }
            tracker.woke(job.id!);
          } else {
            data.results![name] = stepResult(name === "before" ? -1 : Number(name.slice("step-".length)));
          }
          data.stage = stage + 1;
          await job.updateData(data);
        }
      };
      queues.set(spec.name, new Queue(spec.name, { connection, prefix }));
      const worker = new Worker(spec.name, processor, { connection, prefix, concurrency: env.concurrency });
      worker.on("completed", (job) => tracker.done(job.id!));
      worker.on("error", () => undefined);
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    await Promise.all([...queues.values()].map((queue) => queue.waitUntilReady()));
    return {
      async send(event, seq) {
        const targets = specs.filter((spec) => spec.event === event);
        const ids = targets.map((spec) => `${prefix}-${seq}-${spec.name}`);
        await Promise.all(
          targets.map((spec, index) =>
            queues.get(spec.name)!.add(spec.name, eventData(seq), { jobId: ids[index] }),
          ),
        );
        return ids;
      },
      qstashPublished: async () => 0,
      async close() {
        await Promise.all(workers.map((worker) => worker.close()));
        await Promise.all([...queues.values()].map((queue) => queue.close()));
      },
    };
  },
};
