/**
 * compose.yaml's cluster profile and the nginx config in front of it, read as data: this machine
 * has no Docker engine. The single-node service stays what a plain `docker compose up -d` runs;
 * the profile adds Postgres, Redis, two identical gateways sharing their secrets, and nginx.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseTrustedProxies } from "@/lib/server/client-address";
import { findAll, parseNginxConfig, type Directive } from "../../helpers/nginx-config";
import { startCommand } from "../../helpers/start-command";

type Service = Record<string, unknown> & {
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  networks?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
};

const compose = parse(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: Array<{ subnet?: string }> } }>;
};
const services = compose.services;
const CLUSTER = ["postgres", "redis", "gateway-1", "gateway-2", "nginx"];
const GATEWAYS = ["gateway-1", "gateway-2"] as const;

/**
 * What compose makes of a value: `${A}`, `${A:-default}`, `${A-default}`, `${A:?error}`,
 * `${A?error}` and `$$` for a literal dollar.
 */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name?: string, colon?: string, op?: string, word?: string) => {
    if (whole === "$$") return "$";
    const v = env[name!];
    const missing = colon ? !v : v === undefined;
    if (!op) return v ?? "";
    if (op === "-") return missing ? word! : v!;
    if (missing) throw new Error(`required variable ${name} is missing a value: ${word}`);
    return v!;
  });
}

/** Every string in the file, for checks that must hold wherever a value is. */
function strings(node: unknown): string[] {
  if (typeof node === "string") return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === "object") return Object.values(node).flatMap(strings);
  return [];
}

const hostPort = (mapping: string) => Number(interpolate(mapping).split(":").at(-2));
const envOf = (name: string) => services[name]!.environment ?? {};

describe("the default profile", () => {
  const defaults = Object.entries(services).filter(([, s]) => !s.profiles);

  it("is still the one single-node service, on SQLite and its own volume", () => {
    expect(defaults.map(([name]) => name)).toEqual(["switchyard"]);
    const [, node] = defaults[0]!;
    expect(node.build).toBe(".");
    expect(node.ports).toEqual(["3000:3000"]);
    expect(node.volumes).toEqual(["switchyard-data:/data"]);
    expect(node.networks).toBeUndefined();
    expect(Object.keys(node.environment ?? {})).not.toContain("DATABASE_URL");
    expect(Object.keys(node.environment ?? {})).not.toContain("REDIS_URL");
  });

  it("needs no variable set: compose resolves every service's values, in a profile or not", () => {
    // A ${VAR:?} anywhere would stop a plain `docker compose up -d` on a machine without that variable.
    for (const value of strings(compose)) expect(() => interpolate(value), value).not.toThrow();
  });
});

describe("the cluster profile", () => {
  it("has postgres, redis, two gateways and nginx, from the official images and this Dockerfile", () => {
    const cluster = Object.entries(services).filter(([, s]) => s.profiles?.includes("cluster"));
    expect(cluster.map(([name]) => name).sort()).toEqual([...CLUSTER].sort());
    for (const [, s] of cluster) expect(s.profiles).toEqual(["cluster"]);
    expect(services.postgres!.image).toBe("postgres:16");
    expect(services.redis!.image).toBe("redis:7");
    expect(services.nginx!.image).toBe("nginx:1.27");
    for (const name of GATEWAYS) {
      expect(services[name]!.build).toBe(".");
      expect(services[name]!.image).toBe(services.switchyard!.image);
    }
  });

  it("keeps Postgres and Redis on named volumes, Redis with its append-only file, both health-checked", () => {
    const declared = Object.keys(compose.volumes ?? {});
    const pgVolume = services.postgres!.volumes?.find((v) => v.endsWith(":/var/lib/postgresql/data"));
    const redisVolume = services.redis!.volumes?.find((v) => v.endsWith(":/data"));
    expect(declared).toContain(pgVolume?.split(":")[0]);
    expect(declared).toContain(redisVolume?.split(":")[0]);
    expect((services.redis!.command as string[]).join(" ")).toMatch(/--appendonly yes\b/);
    expect(strings(services.postgres!.healthcheck).join(" ")).toContain("pg_isready");
    expect(strings(services.redis!.healthcheck).join(" ")).toContain("redis-cli ping");
  });

  it("gives both gateways the same settings but their own instance id and data volume", () => {
    const [a, b] = GATEWAYS.map((name) => ({ ...services[name]!, environment: undefined, volumes: undefined }));
    expect(a).toEqual(b);
    // Each its own /data: the usage journal a killed instance replays when it starts again.
    expect(GATEWAYS.map((name) => services[name]!.volumes)).toEqual([["gateway-1-data:/data"], ["gateway-2-data:/data"]]);
    for (const name of GATEWAYS) expect(Object.keys(compose.volumes ?? {})).toContain(`${name}-data`);
    const { SWITCHYARD_INSTANCE_ID: idA, ...envA } = envOf("gateway-1");
    const { SWITCHYARD_INSTANCE_ID: idB, ...envB } = envOf("gateway-2");
    expect(envA).toEqual(envB);
    expect([idA, idB]).toEqual(["gateway-1", "gateway-2"]);
    for (const name of ["SWITCHYARD_SECRET", "SWITCHYARD_ADMIN_TOKEN", "SWITCHYARD_PUBLIC_URL"]) {
      expect(envA[name], name).toBe(`\${${name}:-}`);
    }
  });

  it("points the gateways at the postgres and redis services, once those are healthy", () => {
    const pg = envOf("postgres");
    for (const name of GATEWAYS) {
      const env = envOf(name);
      const db = new URL(interpolate(env.DATABASE_URL!, { POSTGRES_PASSWORD: "pw" }));
      expect(db.protocol).toBe("postgres:");
      expect(db.hostname).toBe("postgres");
      expect(db.port).toBe("5432");
      expect(db.username).toBe(pg.POSTGRES_USER);
      expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
      // The same variable sets the server's password and the one the gateways log in with.
      expect(db.password).toBe(interpolate(pg.POSTGRES_PASSWORD!, { POSTGRES_PASSWORD: "pw" }));
      const redis = new URL(interpolate(env.REDIS_URL!));
      expect(redis.protocol).toBe("redis:");
      expect(redis.hostname).toBe("redis");
      expect(services[name]!.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    }
  });

  it("trusts X-Forwarded-For only from the cluster's own network, which nginx is on", () => {
    const subnet = interpolate(compose.networks?.cluster?.ipam?.config?.[0]?.subnet ?? "");
    expect(subnet).toMatch(/\/\d+$/);
    for (const name of CLUSTER) expect(services[name]!.networks, name).toEqual(["cluster"]);
    for (const name of GATEWAYS) {
      const trusted = interpolate(envOf(name).SWITCHYARD_TRUSTED_PROXIES!);
      expect(() => parseTrustedProxies(trusted)).not.toThrow();
      expect(trusted).toBe(subnet);
      // Set another range and both move together.
      const moved = { SWITCHYARD_CLUSTER_SUBNET: "10.44.0.0/16" };
      expect(interpolate(envOf(name).SWITCHYARD_TRUSTED_PROXIES!, moved)).toBe(interpolate(compose.networks!.cluster!.ipam!.config![0]!.subnet!, moved));
    }
  });

  it("publishes only nginx's port and the single node's, on different host ports", () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name).sort()).toEqual(["nginx", "switchyard"]);
    const ports = published.flatMap(([, s]) => s.ports!.map(hostPort));
    for (const port of ports) expect(Number.isInteger(port)).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe("a gateway's start", () => {
  const script = interpolate(services["gateway-1"]!.command![2]!);

  /** Runs the gateway's command with a stand-in `node` that prints what it was started with. */
  function start(env: Record<string, string>) {
    const bin = mkdtempSync(join(tmpdir(), "switchyard-compose-"));
    writeFileSync(join(bin, "node"), '#!/bin/sh\necho "node $*"\n');
    chmodSync(join(bin, "node"), 0o755);
    const bare = { PATH: `${bin}:/usr/bin:/bin`, ...env } as unknown as NodeJS.ProcessEnv;
    try {
      return spawnSync("sh", ["-c", script], { env: bare, encoding: "utf8" });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  it("runs what the image runs, through a shell that first checks the shared settings", () => {
    expect(services["gateway-1"]!.command!.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(script).toMatch(new RegExp(`&& exec ${startCommand().argv.join(" ")}$`));
    const ok = start({ SWITCHYARD_SECRET: "s".repeat(32), SWITCHYARD_ADMIN_TOKEN: "t".repeat(32) });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(startCommand().argv.join(" "));
  });

  it("stops, naming the setting, when the secret or the admin token is missing or empty", () => {
    for (const [env, missing] of [
      [{ SWITCHYARD_ADMIN_TOKEN: "t".repeat(32) }, "SWITCHYARD_SECRET"],
      [{ SWITCHYARD_SECRET: "", SWITCHYARD_ADMIN_TOKEN: "t".repeat(32) }, "SWITCHYARD_SECRET"],
      [{ SWITCHYARD_SECRET: "s".repeat(32) }, "SWITCHYARD_ADMIN_TOKEN"],
    ] as const) {
      const run = start(env);
      expect(run.status).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`${missing}: must be set, the same for every instance`);
    }
  });
});

describe("nginx in front", () => {
  const mount = services.nginx!.volumes!.find((v) => v.split(":")[1] === "/etc/nginx/nginx.conf");
  const file = mount?.split(":")[0] ?? "";
  const config = existsSync(file) ? parseNginxConfig(readFileSync(file, "utf8")) : [];
  const one = (name: string, within: Directive[] = config) => {
    const found = findAll(within, name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };

  it("reads its config from this repository, read-only, and starts after both gateways are healthy", () => {
    expect(mount).toMatch(/:ro$/);
    expect(existsSync(file)).toBe(true);
    expect(services.nginx!.depends_on).toEqual({ "gateway-1": { condition: "service_healthy" }, "gateway-2": { condition: "service_healthy" } });
  });

  it("balances over both gateways at the port they listen on, with passive health checks", () => {
    const upstream = one("upstream");
    expect(one("proxy_pass").args).toEqual([`http://${upstream.args[0]}`]);
    const servers = upstream.block!.filter((d) => d.name === "server");
    const port = envOf("gateway-1").PORT;
    expect(servers.map((s) => s.args[0])).toEqual(GATEWAYS.map((name) => `${name}:${port}`));
    for (const s of servers) {
      expect(s.args.some((a) => /^max_fails=\d+$/.test(a))).toBe(true);
      expect(s.args.some((a) => /^fail_timeout=\d+s$/.test(a))).toBe(true);
    }
    // `resolve` finds a recreated gateway's new address; it needs a shared zone and a resolver.
    expect(findAll(upstream.block!, "zone")).toHaveLength(1);
    expect(one("resolver").args[0]).toBe("127.0.0.11");
  });

  it("streams: no buffering, HTTP/1.1 kept alive to the gateways, a long read timeout", () => {
    expect(one("proxy_buffering").args).toEqual(["off"]);
    expect(one("proxy_http_version").args).toEqual(["1.1"]);
    expect(findAll(one("upstream").block!, "keepalive")).toHaveLength(1);
    const headers = findAll(config, "proxy_set_header").map((d) => d.args);
    expect(headers).toContainEqual(["Connection", ""]);
    expect(headers).toContainEqual(["X-Forwarded-For", "$proxy_add_x_forwarded_for"]);
    const read = /^(\d+)s$/.exec(one("proxy_read_timeout").args[0]!);
    // Above the gateways' default whole-request deadline of 10 minutes.
    expect(Number(read?.[1])).toBeGreaterThanOrEqual(600);
  });

  it("tries the other gateway only on connection errors, never resending a POST that was sent", () => {
    const next = one("proxy_next_upstream").args;
    expect(next.length).toBeGreaterThan(0);
    for (const condition of next) expect(["error", "timeout"]).toContain(condition);
  });

  const nginx = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).stdout.trim();
  it.skipIf(!nginx)(`nginx -t accepts the config${nginx ? "" : " (skipped: no nginx binary on this machine)"}`, () => {
    const prefix = mkdtempSync(join(tmpdir(), "switchyard-nginx-"));
    // -e and -p keep nginx's compiled-in log and pid paths, which need root, out of the test.
    const args = ["-t", "-q", "-e", "stderr", "-p", prefix, "-c", resolve(file), "-g", `pid ${join(prefix, "nginx.pid")};`];
    const run = spawnSync(nginx, args, { encoding: "utf8" });
    rmSync(prefix, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
  });
});
