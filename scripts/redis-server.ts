import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, Socket } from "node:net";

export const INSTALL_HINT =
  "redis-server not found: install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).";

/** True when a `redis-server` binary is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface RedisServerOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Directory for RDB/AOF files. When omitted nothing is persisted (throwaway server). */
  dataDir?: string;
  /** More redis-server arguments, e.g. ["--busy-reply-threshold", "100"]. */
  args?: string[];
}

export interface RunningRedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns a private `redis-server` on 127.0.0.1 and resolves once it accepts connections.
 * Throws with {@link INSTALL_HINT} when the binary is missing.
 *
 * @example
 * const redis = await startRedisServer();
 * // ... use redis.url (redis://127.0.0.1:PORT)
 * await redis.stop();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RunningRedisServer> {
  if (!hasRedisServer()) throw new Error(INSTALL_HINT);
  const port = options.port ?? (await freePort());
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--save", ""];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    // Append-only file so dev data survives a restart with at most a second lost.
    args.push("--dir", options.dataDir, "--appendonly", "yes", "--appendfsync", "everysec");
  } else {
    args.push("--appendonly", "no");
  }
  args.push(...(options.args ?? []));
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  // A crashed test run or dev script must not leave its redis-server behind.
  const killChild = () => child.kill("SIGTERM");
  process.once("exit", killChild);
  child.once("exit", () => process.off("exit", killChild));
  await waitForPort(port, child, () => stderr);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${stderr()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not listen on port ${port} within 10 s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}
