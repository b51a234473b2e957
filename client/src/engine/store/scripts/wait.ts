/**
 * wait.lua: step.waitForEvent's look back and registration (or, at its timeout, its end), fenced by
 * the invocation's generation. Reply: the step's journal entry once the wait is over, when it times
 * out if it still waits, or fenced.
 */
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export type WaitAnswer =
  { status: "done"; record: string } | { status: "waiting"; timeoutAt: number } | { status: "fenced" };

export const waitScript = defineScript("wait", (answer): WaitAnswer => {
  const reply = asList("wait", answer);
  switch (reply[0]) {
    case "done":
      return { status: "done", record: reply[1] as string };
    case "waiting":
      return { status: "waiting", timeoutAt: Number(reply[1]) };
    case "fenced":
      return { status: "fenced" };
    default:
      throw new Error(`Unexpected wait reply: ${String(reply[0])}`);
  }
});
