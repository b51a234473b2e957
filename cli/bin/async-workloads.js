#!/usr/bin/env node
// The `async-workloads` binary: Netlify's CLI flags mapped onto `awl send` (src/netlify-main.ts),
// compiled to JavaScript by `npm run build` (dist/ ships in the package).
await import("../dist/netlify-main.js");
