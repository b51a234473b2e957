/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and sums self time by where the code lives: a package
 * in node_modules, a folder of this project, or a Node internal. That grouping is what answers
 * "where does the time go" for a benchmark: our engine, our emulators, the official clients, or
 * Node's own HTTP and fetch machinery.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  where: string;
  selfMs: number;
  share: number;
}

/** The bucket a script URL belongs to. */
export function bucketOf(url: string, functionName = ""): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(idle)" || functionName === "(program)") return functionName;
    // The write system calls of sockets (loopback TCP: the kernel's side of every request).
    if (/^write(v|Utf8String|Buffer|Latin1String)?$/.test(functionName)) return "(socket writes)";
    return "(native)";
  }
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) {
    const name = url.slice(5);
    if (name.startsWith("internal/deps/undici")) return "node:undici (fetch)";
    if (name.startsWith("internal/webstreams")) return "node:webstreams";
    if (name.startsWith("internal/http") || name.startsWith("_http") || name === "http") return "node:http";
    if (name.startsWith("internal/streams") || name.startsWith("stream")) return "node:streams";
    if (name.startsWith("net") || name.startsWith("internal/net")) return "node:net";
    return "node:other";
  }
  // Project code by folder, two levels below a package's src/ (client/src/engine/store,
  // dev/src/qstash), so the table names the files' homes as they are now.
  const project = /\/((?:client|dev|cli|dashboard|extension)\/src|bench|test)\/(.*)$/.exec(url);
  if (project) {
    const folders = project[2]!.split("/").slice(0, -1).slice(0, 2);
    return [project[1]!, ...folders].join("/");
  }
  return "other";
}

const isInternal = (where: string) => where.startsWith("node:") || where === "(native)" || where === "other";

/**
 * Time per bucket, largest first, leaving out idle time. `self`: where each sample was taken.
 * `caller`: Node internals and native code are charged to the nearest caller outside them (the
 * package or project folder that asked for the work), which is how "fetch costs 1 ms" shows up.
 */
export function summarizeProfile(
  profile: CpuProfile,
  mode: "self" | "caller" = "self",
  bucket = bucketOf,
): ProfileRow[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const whereOf = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    return bucket(frame?.url ?? "", frame?.functionName ?? "");
  };
  const totals = new Map<string, number>();
  for (const [id, micros] of self) {
    let where = whereOf(id);
    if (where === "(idle)") continue;
    if (mode === "caller" && isInternal(where)) {
      for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
        const candidate = whereOf(up);
        if (!isInternal(candidate) && !candidate.startsWith("(")) {
          where = `${candidate} (via ${where})`;
          break;
        }
      }
    }
    totals.set(where, (totals.get(where) ?? 0) + micros);
  }
  const busy = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals.entries()]
    .map(([where, micros]) => ({
      where,
      selfMs: Math.round(micros / 100) / 10,
      share: busy === 0 ? 0 : Math.round((micros / busy) * 1000) / 10,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
}
