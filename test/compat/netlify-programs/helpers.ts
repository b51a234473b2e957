// Types derived from the package, as a site's shared helpers write them.
import {
  asyncWorkloadFn,
  AsyncWorkloadsClient,
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  type AsyncWorkloadConfig,
  type AsyncWorkloadEvent,
} from "@netlify/async-workloads";

type Step = AsyncWorkloadEvent["step"];
type SendOptions = NonNullable<Parameters<AsyncWorkloadsClient["send"]>[1]>;
type SendResult = Awaited<ReturnType<AsyncWorkloadsClient["send"]>>;
type Filter = NonNullable<AsyncWorkloadConfig["eventFilter"]>;
type RetryArg = ConstructorParameters<typeof ErrorRetryAfterDelay>[0];
type Workload = ReturnType<typeof asyncWorkloadFn>;

export async function chargeWithRetries(step: Step, amount: number): Promise<string> {
  const id = await step.run(`charge-${amount}`, async () => `ch_${amount}`);
  await step.sleep(`after-charge-${amount}`, "10s");
  return id;
}

export const defaults: SendOptions = { priority: 1, delayUntil: "30s" };
export const isSent = (result: SendResult): boolean => result.sendStatus === "succeeded";
export const onlyPaid: Filter = (event) => Boolean(event.eventData?.paid) && event.eventName === "invoice";
export const rateLimit: RetryArg = { message: "slow down", retryDelay: 30_000, forceDelayTime: true };
export const errors: Error[] = [new ErrorDoNotRetry(), new ErrorRetryAfterDelay(rateLimit)];

export const workloads: Workload[] = [
  asyncWorkloadFn(async (event) => {
    await chargeWithRetries(event.step, event.eventData.amount);
  }),
  asyncWorkloadFn<{ eventName: "invoice"; eventData: { paid: boolean } }>((event) => {
    if (!event.eventData.paid) throw new ErrorDoNotRetry("unpaid");
  }),
];
