// Child processes of the benchmark: started with a readiness line, always stopped, even on a crash or Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
const OUTPUT_LIMIT = 64 * 1024;

function killAll(): void {
  for (const proc of live) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  live.clear();
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping child processes`);
    killAll();
    process.exit(130);
  });
}

function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
}

function exited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

/** Open files a benchmark process may hold: thousands of sockets in the many-streams scenario. */
export const MAX_OPEN_FILES = 8192;

/**
 * `node [--import tsx] <script> …` behind a shell that first raises the open-files limit to at least
 * MAX_OPEN_FILES where it may. `exec` keeps the pid, so signals and /proc reads reach node itself.
 * TypeScript goes through tsx; compiled JavaScript (the built server) runs on plain node, as in production.
 */
function nodeCommand(script: string, args: string[], nodeArgs: string[] = []): [string, string[]] {
  // Soft limit first (any user may raise it up to the hard limit), then both (root), else the hard limit.
  const raise = `ulimit -Sn ${MAX_OPEN_FILES} 2>/dev/null || ulimit -n ${MAX_OPEN_FILES} 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"; exec "$@"`;
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  return ["bash", ["-c", raise, "bash", process.execPath, ...nodeArgs, ...loader, script, ...args]];
}

/**
 * Spawns `node [--import tsx] <script>` and resolves once its stdout matches `ready`.
 * Output is kept (the last 64 KiB) for error messages.
 */
export async function startChild(opts: {
  name: string;
  script: string;
  args?: string[];
  /** Node's own flags, before the script. */
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs: number;
}): Promise<{ child: Child; match: RegExpExecArray }> {
  const [cmd, argv] = nodeCommand(opts.script, opts.args ?? [], opts.nodeArgs);
  const proc = spawn(cmd, argv, { env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  track(proc);
  let out = "";
  const append = (d: Buffer) => {
    out += d.toString("utf8");
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  proc.stdout!.on("data", append);
  proc.stderr!.on("data", append);

  const child: Child = {
    name: opts.name,
    proc,
    pid: proc.pid ?? -1,
    output: () => out,
    async stop(graceMs = 15_000) {
      if (exited(proc)) return;
      const done = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await done;
      clearTimeout(timer);
    },
  };

  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      reject(new Error(`${opts.name} ${why}:\n${out.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${opts.timeoutMs / 1000} s`), opts.timeoutMs);
    const check = () => {
      const m = opts.ready.exec(out);
      if (!m) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => fail(`exited with ${code} before it was ready`);
    const cleanup = () => {
      clearTimeout(timer);
      proc.stdout!.off("data", check);
      proc.off("exit", onExit);
    };
    proc.stdout!.on("data", check);
    proc.once("exit", onExit);
  }).catch(async (err: unknown) => {
    await child.stop(2_000);
    throw err;
  });
  return { child, match };
}

/** Runs a script to completion with an IPC channel (so it notices if we die) and returns its stdout. */
export async function runToEnd(script: string, args: string[], timeoutMs: number): Promise<string> {
  const [cmd, argv] = nodeCommand(script, args);
  const proc = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe", "ipc"] });
  track(proc);
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString("utf8");
    if (err.length > OUTPUT_LIMIT) err = err.slice(-OUTPUT_LIMIT);
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${script} exited with ${code ?? proc.signalCode}:\n${err.slice(-4000)}`);
  return out;
}

/** Resident set size of a process: now and its high-water mark, in bytes (null once it is gone). */
export function readRss(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    const rss = kb("VmRSS");
    const hwm = kb("VmHWM");
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss, hwm } : null;
  } catch {
    return null;
  }
}

/** Starts the high-water mark (VmHWM) again from the current RSS; false where the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples a process's RSS every `everyMs` until `stop`, which returns the peak seen: the larger of
 * the samples and VmHWM (which also catches spikes between samples once reset at the start).
 * Stopping again returns the same answer.
 */
export function watchPeakRss(pid: number, everyMs: number): { stop(): { peakBytes: number | null; hwmReset: boolean } } {
  const hwmReset = resetPeakRss(pid);
  let peak = readRss(pid)?.rss ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, readRss(pid)?.rss ?? 0)), everyMs);
  let answer: { peakBytes: number | null; hwmReset: boolean } | undefined;
  return {
    stop() {
      if (answer) return answer;
      clearInterval(timer);
      const last = readRss(pid);
      if (last) peak = Math.max(peak, last.rss, hwmReset ? last.hwm : 0);
      answer = { peakBytes: peak || null, hwmReset };
      return answer;
    },
  };
}

/** A process's soft limit on open files, or null when /proc does not say. */
export function openFilesLimit(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : null;
  } catch {
    return null;
  }
}

/** A port nothing listens on right now, for a child process to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
