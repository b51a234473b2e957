/**
 * Admission of due attempts: first the message's flow-control key (if any), then the server-wide
 * cap on attempts in flight, which bounds sockets and memory under a burst while leaving hundreds of
 * deliveries running at once. Both waitlists are FIFO. A slot is held from the start of an attempt
 * to the destination's answer, not while the outcome is being recorded.
 */
import { Fifo } from "./fifo.ts";
import { FlowLimiter, type FlowControlLimits } from "./flow-control.ts";

export interface DispatcherOptions<J> {
  maxInFlight: number;
  /** The flow-control key and limits of a job, if it has them. */
  flowOf(job: J): (FlowControlLimits & { key: string }) | undefined;
  /** Makes the attempt; resolves when the destination has answered (never rejects). */
  run(job: J): Promise<void>;
}

export class Dispatcher<J> {
  readonly #options: DispatcherOptions<J>;
  readonly #flow: FlowLimiter<J>;
  readonly #waiting = new Fifo<J>();
  #inFlight = 0;

  constructor(options: DispatcherOptions<J>) {
    this.#options = options;
    this.#flow = new FlowLimiter((job) => this.#enter(job));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  admit(job: J): void {
    const flow = this.#options.flowOf(job);
    if (flow) this.#flow.enter(flow.key, flow, job);
    else this.#enter(job);
  }

  stop(): void {
    this.#flow.stop();
  }

  #enter(job: J): void {
    if (this.#inFlight < this.#options.maxInFlight) this.#launch(job);
    else this.#waiting.push(job);
  }

  #launch(job: J): void {
    this.#inFlight += 1;
    void this.#options.run(job).then(() => {
      this.#inFlight -= 1;
      // The longest-waiting job takes the freed slot before the key's waitlist is looked at.
      const next = this.#waiting.shift();
      if (next !== undefined) this.#launch(next);
      const flow = this.#options.flowOf(job);
      if (flow) this.#flow.leave(flow.key);
    });
  }
}
