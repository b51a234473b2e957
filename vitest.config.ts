import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests run the workspace packages' sources, not their build: the "@awl/source" export condition of
// each package points at src/. (The packed tarballs are tested as users get them in test/package.)
const conditions = ["@awl/source", ...defaultServerConditions];

// One runner for the whole workspace: unit tests beside the code, integration tests in test/.
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@awl/source"] } },
  test: {
    include: [
      "client/src/**/*.test.ts",
      "dev/src/**/*.test.ts",
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
