/**
 * Part of `npm run build -w dev`: copies the QStash emulator's Lua scripts beside their compiled
 * modules, which read them at run time (dev/src/qstash/store.ts).
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";

const srcDir = join(import.meta.dirname, "../src");
const distDir = join(import.meta.dirname, "../dist");
for (const file of readdirSync(srcDir, { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".lua")) continue;
  mkdirSync(dirname(join(distDir, file)), { recursive: true });
  copyFileSync(join(srcDir, file), join(distDir, file));
}
