#!/usr/bin/env node
// The `awl` binary: the CLI compiled to JavaScript by `npm run build` (dist/ ships in the package).
await import("../dist/main.js");
