/**
 * What a Redis server did between two readings: commands executed (from INFO commandstats, which
 * counts the commands scripts run as well as the ones clients send, leaving out the meter's own),
 * bytes in and out, and the memory of the keys it holds (SCAN + MEMORY USAGE).
 */
import { Redis } from "ioredis";

/** Commands the meter itself and the bench's housekeeping send. */
const OWN = new Set([
  "info",
  "memory",
  "scan",
  "config",
  "flushall",
  "flushdb",
  "dbsize",
  "ping",
  "client",
  "select",
]);

export interface RedisReading {
  commands: number;
  netIn: number;
  netOut: number;
}

export class RedisMeter {
  readonly redis: Redis;
  /** Bytes one reading adds to netIn/netOut, subtracted from deltas. */
  #readingIn = 0;
  #readingOut = 0;

  private constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
  }

  static async connect(url: string): Promise<RedisMeter> {
    const meter = new RedisMeter(url);
    const a = await meter.read();
    const b = await meter.read();
    meter.#readingIn = b.netIn - a.netIn;
    meter.#readingOut = b.netOut - a.netOut;
    return meter;
  }

  async read(): Promise<RedisReading> {
    const [commandstats, stats] = await Promise.all([
      this.redis.info("commandstats"),
      this.redis.info("stats"),
    ]);
    let commands = 0;
    for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const name = match[1]!.split("|")[0]!;
      if (!OWN.has(name)) commands += Number(match[2]);
    }
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(stats)?.[1] ?? 0);
    return { commands, netIn: field("total_net_input_bytes"), netOut: field("total_net_output_bytes") };
  }

  delta(before: RedisReading, after: RedisReading): RedisReading {
    return {
      commands: after.commands - before.commands,
      netIn: Math.max(0, after.netIn - before.netIn - this.#readingIn),
      netOut: Math.max(0, after.netOut - before.netOut - this.#readingOut),
    };
  }

  /** Sum of MEMORY USAGE over every key (the application Redis holds nothing else). */
  async storedBytes(): Promise<{ keys: number; bytes: number }> {
    let cursor = "0";
    let keys = 0;
    let bytes = 0;
    do {
      const [next, batch] = await this.redis.scan(cursor, "COUNT", 1000);
      cursor = next;
      if (batch.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of batch) pipeline.memory("USAGE", key, "SAMPLES", "0");
      for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0);
      keys += batch.length;
    } while (cursor !== "0");
    return { keys, bytes };
  }

  async flush(): Promise<void> {
    await this.redis.flushall();
  }

  close(): void {
    this.redis.disconnect();
  }
}
