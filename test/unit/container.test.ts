/**
 * The container files, read as text: this machine has no Docker engine, so what can be checked
 * without building the image is checked here. The image runs what `npm start` runs, as a user
 * other than root, keeps its data on /data and reports health from /api/health; compose keeps the
 * volume and the health check.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startCommand } from "../helpers/start-command";

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    pending += (pending ? " " : "") + line.replace(/\\$/, "").trim();
    if (line.endsWith("\\")) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]! });
    pending = "";
  }
  return out;
}

/** `ENV A=1 B=2` and `ENV A 1` alike. */
function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.filter((i) => i.keyword === "ENV")) {
    if (!i.args.includes("=")) {
      const [name, ...value] = i.args.split(/\s+/);
      env[name!] = value.join(" ");
      continue;
    }
    for (const pair of i.args.split(/\s+/)) {
      const [name, ...value] = pair.split("=");
      env[name!] = value.join("=").replace(/^"(.*)"$/, "$1");
    }
  }
  return env;
}

const dockerfile = instructions(readFileSync("Dockerfile", "utf8"));
const stages: Instruction[][] = [];
for (const i of dockerfile) {
  if (i.keyword === "FROM") stages.push([]);
  stages.at(-1)?.push(i);
}
const final = stages.at(-1)!;
const finalEnv = envOf(final);
const only = (keyword: string) => {
  const found = final.filter((i) => i.keyword === keyword);
  expect(found, `one ${keyword} in the final stage`).toHaveLength(1);
  return found[0]!.args;
};

describe("Dockerfile", () => {
  it("builds in one stage and runs from another that copies only the build's output", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]![0]!.args).toMatch(/\sAS\s+\S+/i);
    const copies = final.filter((i) => i.keyword === "COPY");
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.args).toMatch(/--from=/);
    // The build stage has dev dependencies and a compiler; the final one has neither.
    expect(final.some((i) => i.keyword === "RUN" && /npm (ci|install)|apt-get install/.test(i.args))).toBe(false);
  });

  it("runs as a user other than root", () => {
    const user = only("USER").split(":")[0];
    expect(user).not.toMatch(/^(root|0)$/);
    // And switches before the command, not after.
    expect(final.findIndex((i) => i.keyword === "USER")).toBeLessThan(final.findIndex((i) => i.keyword === "CMD"));
  });

  it("keeps the database on the /data volume", () => {
    const volume = only("VOLUME");
    const paths = volume.startsWith("[") ? (JSON.parse(volume) as string[]) : volume.split(/\s+/);
    expect(paths).toContain("/data");
    expect(finalEnv.DATABASE_PATH).toMatch(/^\/data\//);
  });

  it("checks health on /api/health at the port it listens on", () => {
    const health = only("HEALTHCHECK");
    expect(health).toMatch(/\bCMD\b/);
    expect(health).toContain("/api/health");
    expect(health).toMatch(/process\.env\.PORT|\$PORT|:3000\b/);
  });

  it("starts exactly what `npm start` starts: the same command, flags and environment", () => {
    const start = startCommand();
    const cmd = JSON.parse(only("CMD")) as string[];
    expect(cmd).toEqual(start.argv);
    for (const [name, value] of Object.entries(start.env)) expect(finalEnv[name], name).toBe(value);
    expect(final.some((i) => i.keyword === "ENTRYPOINT")).toBe(false);
  });

  it("carries the migrations of both databases, applied at start", () => {
    const copied = final.filter((i) => i.keyword === "COPY").map((i) => i.args.split(/\s+/).at(-1));
    expect(copied).toContain("./db/migrations");
    // DATABASE_URL selects Postgres, whose migrations are a folder of their own.
    expect(copied).toContain("./db/migrations-pg");
  });

  it("exposes the port the server listens on, on every interface", () => {
    expect(only("EXPOSE").split(/\s+/)).toEqual([finalEnv.PORT]);
    // Docker sets HOSTNAME to the container's id; left so, the server would not answer on localhost.
    expect(finalEnv.HOSTNAME).toBe("0.0.0.0");
  });
});

describe("compose.yaml", () => {
  const compose = parse(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
    volumes?: Record<string, unknown>;
  };
  // What a plain `docker compose up -d` runs; the cluster profile has its own test (deploy/compose.test.ts).
  const services = Object.values(compose.services).filter((s) => !s.profiles);

  it("has one service outside a profile, built from this Dockerfile", () => {
    expect(services).toHaveLength(1);
    expect(services[0]!.build).toBe(".");
  });

  it("keeps /data on a named volume", () => {
    const volumes = services[0]!.volumes as string[];
    const data = volumes.find((v) => v.split(":")[1] === "/data");
    expect(data).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(data!.split(":")[0]);
  });

  it("publishes the port the server listens on", () => {
    const env = services[0]!.environment as Record<string, string>;
    const port = env.PORT ?? finalEnv.PORT;
    const ports = (services[0]!.ports as string[]).map((p) => p.split(":").at(-1));
    expect(ports).toEqual([port]);
  });

  it("checks health on /api/health", () => {
    const check = services[0]!.healthcheck as { test: string[] };
    expect(check.test[0]).toBe("CMD");
    expect(check.test.join(" ")).toContain("/api/health");
  });

  it("gives the server longer to stop than its own drain takes, so SIGKILL never cuts the last usage rows", () => {
    const grace = /^(\d+)s$/.exec(String(services[0]!.stop_grace_period));
    expect(grace).not.toBeNull();
    // SWITCHYARD_SHUTDOWN_GRACE_MS defaults to 10 s (lib/server/main.ts).
    expect(Number(grace![1])).toBeGreaterThan(10);
  });
});
