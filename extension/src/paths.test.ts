import { expect, test } from "vitest";
import { DEFAULT_API_BASE_PATH, ROUTER_PATH } from "@awl/client";
import { config as apiConfig } from "./functions/api.mts";
import { API_BASE_PATH, ROUTER_FUNCTION } from "./paths.ts";

// The functions' configs are literals (Netlify reads them without running the code): they must
// agree with the paths the engine and the CLI use.
test("the injected events API answers where clients look for it", () => {
  expect(API_BASE_PATH).toBe(DEFAULT_API_BASE_PATH);
  expect(apiConfig.path).toBe(`${API_BASE_PATH}/*`);
});

test("the generated router is served at the engine's router path", () => {
  expect(`/.netlify/functions/${ROUTER_FUNCTION}`).toBe(ROUTER_PATH);
});
