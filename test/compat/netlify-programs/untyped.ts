// Without generics eventData is any, as in Netlify's examples; a disabled workload; string backoffs.
import { asyncWorkloadFn, type AsyncWorkloadConfig, type AsyncWorkloadEvent } from "@netlify/async-workloads";

export default asyncWorkloadFn(async (event) => {
  const email: string = event.eventData.user.email;
  const count: number = event.eventData.items.length;
  const anything = event.eventName.toUpperCase();
  await event.step.run("welcome", async () => {
    console.log(email, count, anything);
  });
  const nothing: undefined = await event.step.run("nothing", () => undefined);
  console.log(nothing);
});

export const asyncWorkloadConfig: AsyncWorkloadConfig = {
  events: ["account.signup", "account.reactivated"],
  status: "disabled",
  eventFilter: (event) => event.eventData?.plan !== "spam",
  backoffSchedule: (attempt) => (attempt < 3 ? "30s" : "1h"),
};

// The docs' destructuring form.
export const steps = asyncWorkloadFn(async ({ step, eventData }: AsyncWorkloadEvent) => {
  const results = await step.run("step-id", () => ({ ok: true, id: eventData.id as string }));
  const ok: boolean = results.ok;
  console.log(ok);
});

// Synchronous handlers and handlers that return nothing are workloads too.
export const sync = asyncWorkloadFn((event) => {
  console.log(event.eventId);
});
