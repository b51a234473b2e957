import { defineConfig } from "vitest/config";

// One runner for the whole workspace: unit tests beside the code, integration tests in test/.
export default defineConfig({
  test: {
    include: [
      "client/src/**/*.test.ts",
      "cli/src/**/*.test.ts",
      "dashboard/src/**/*.test.ts",
      "extension/src/**/*.test.ts",
      "test/**/*.test.ts",
      "bench/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start servers on fixed-free ports; files run in parallel workers.
    pool: "forks",
  },
});
