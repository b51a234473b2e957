import { afterEach, expect, test, vi } from "vitest";
import { withProgress } from "./terminal.ts";

/** A stand-in for stderr that records what is written to it. */
function fakeStderr(isTTY: boolean) {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns: 80,
    write: (chunk: string) => written.push(chunk) > 0,
    // What a spinner uses to redraw its line.
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  } as unknown as NodeJS.WriteStream;
  return { stream, output: () => written.join("") };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

const after = (ms: number, value: string) =>
  new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));

test("a wait over a second shows a spinner with the latest progress text on a terminal", async () => {
  vi.useFakeTimers();
  vi.stubEnv("CI", undefined);
  vi.stubEnv("TERM", "xterm");
  const { stream, output } = fakeStderr(true);
  const done = withProgress(
    "fetching events",
    async (progress) => {
      await after(1200, "");
      progress("fetched 100 events");
      return after(300, "result");
    },
    stream,
  );
  await vi.advanceTimersByTimeAsync(1600);
  await expect(done).resolves.toBe("result");
  expect(output()).toContain("fetching events");
  expect(output()).toContain("fetched 100 events");
});

test("a short wait shows nothing", async () => {
  const { stream, output } = fakeStderr(true);
  await expect(withProgress("sending", () => Promise.resolve(1), stream)).resolves.toBe(1);
  expect(output()).toBe("");
});

test("no spinner when stderr is not a terminal, however long the wait", async () => {
  vi.useFakeTimers();
  const { stream, output } = fakeStderr(false);
  const done = withProgress("fetching", () => after(2000, "ok"), stream);
  await vi.advanceTimersByTimeAsync(2100);
  await expect(done).resolves.toBe("ok");
  expect(output()).toBe("");
});
