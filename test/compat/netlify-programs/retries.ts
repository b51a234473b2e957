// Both error classes, every option, their properties, and subclasses of them.
import {
  asyncWorkloadFn,
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  type AsyncWorkloadConfig,
} from "@netlify/async-workloads";

class PermanentFailure extends ErrorDoNotRetry {
  constructor(readonly code: number) {
    super(`permanent failure ${code}`);
  }
}

class RateLimited extends ErrorRetryAfterDelay {
  constructor(retryAfterSeconds: number) {
    super({ message: "rate limited", retryDelay: retryAfterSeconds * 1000, forceDelayTime: true });
  }
}

export function classify(status: number, cause: Error): Error {
  if (status === 404) return new ErrorDoNotRetry();
  if (status === 410) return new ErrorDoNotRetry("gone", { cause });
  if (status === 400) return new PermanentFailure(status);
  if (status === 429) return new RateLimited(30);
  if (status === 503) {
    return new ErrorRetryAfterDelay({
      message: "unavailable",
      retryDelay: "5m",
      forceDelayTime: false,
      error: cause,
    });
  }
  return new ErrorRetryAfterDelay({ message: "retry at a time", retryDelay: Date.now() + 10 * 60 * 1000 });
}

export function describe(error: unknown): string {
  if (error instanceof ErrorRetryAfterDelay) {
    const delay: number = error.retryDelay;
    const forced: boolean = error.forceDelayTime;
    return `${error.message}: retry in ${delay} ms${forced ? " (forced)" : ""}`;
  }
  if (error instanceof ErrorDoNotRetry) return `${error.name}: ${error.message}`;
  return String(error);
}

export default asyncWorkloadFn(async (event) => {
  const response = await event.step.run("fetch", async () => {
    const res = await fetch(`https://api.example.com/items/${event.eventData.id}`);
    if (!res.ok) throw classify(res.status, new Error(res.statusText));
    return (await res.json()) as { name: string };
  });
  if (event.attempt > 3) throw new ErrorDoNotRetry(`giving up on ${response.name}`);
});

export const asyncWorkloadConfig: AsyncWorkloadConfig = {
  events: ["items.sync"],
  maxRetries: 10,
  backoffSchedule: (attempt: number): number => Math.min(2 ** attempt * 1000, 60 * 60 * 1000),
};
