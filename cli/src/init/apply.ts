/**
 * Carries out a plan of `awl init` (plan.ts): creates, appends and merges exactly what it lists.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { mergeEnvFile } from "@awl/dev/env";
import type { Change } from "./plan.ts";

export function applyChanges(changes: readonly Change[]): void {
  for (const change of changes) {
    switch (change.kind) {
      case "create":
        mkdirSync(dirname(change.path), { recursive: true });
        // "wx": a file that appeared since the plan was made is not overwritten.
        writeFileSync(change.path, change.content, { flag: "wx" });
        break;
      case "append":
        appendFileSync(change.path, change.content);
        break;
      case "env":
        mergeEnvFile(change.path, change.values);
        break;
      case "keep":
        break;
    }
  }
}
