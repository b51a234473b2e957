#!/usr/bin/env node
// The `awl` binary. It runs the TypeScript sources through tsx so a fresh clone needs no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
