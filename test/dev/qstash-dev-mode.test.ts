// The official client's dev mode (QSTASH_DEV=true) recognises our server and downloads nothing.
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { QSTASH_DEV_CREDENTIALS } from "@awl/dev";
import { eventually, startHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
const savedHome = process.env.HOME;
const home = mkdtempSync(join(tmpdir(), "awl-qstash-dev-"));

beforeAll(async () => {
  h = await startHarness();
  process.env.QSTASH_DEV = "true";
  process.env.QSTASH_DEV_PORT = new URL(h.server.url).port;
  // The client caches the downloaded dev server under $HOME/.cache/upstash: it must stay absent.
  process.env.HOME = home;
});
afterAll(async () => {
  delete process.env.QSTASH_DEV;
  delete process.env.QSTASH_DEV_PORT;
  if (savedHome === undefined) delete process.env.HOME;
  else process.env.HOME = savedHome;
  vi.restoreAllMocks();
  await h.close();
});

describe("QStash dev mode", () => {
  it("serves the dev credentials by default", () => {
    expect(h.server).toMatchObject(QSTASH_DEV_CREDENTIALS);
  });

  it("lets new Client() publish to it without downloading anything", async () => {
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const client = new Client();
    const { messageId } = await client.publishJSON({ url: h.receiver.url("/dev-mode"), body: { dev: true } });
    const delivery = await eventually("the delivery", () => h.receiver.to("/dev-mode")[0]);
    expect(delivery.messageId).toBe(messageId);
    expect(h.receiver.refused).toEqual([]);
    const lines = logged.mock.calls.map((call) => call.map(String).join(" "));
    expect(
      lines.some((line) =>
        line.includes(`Server already running at http://127.0.0.1:${process.env.QSTASH_DEV_PORT}`),
      ),
    ).toBe(true);
    expect(lines.some((line) => line.includes("Downloading"))).toBe(false);
    expect(existsSync(join(home, ".cache", "upstash"))).toBe(false);
  });
});
