/**
 * package.json's `engines` is what npm checks every installed package against: on any Node it
 * accepts, `npm install` must find no package that wants another (no EBADENGINE warning).
 * Optional packages are left out: they are the per-platform binaries npm skips elsewhere.
 */
import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }>;
};

/** The oldest Node each alternative of the range allows: 22.12.0, 24.0.0, … */
const oldestAccepted = new semver.Range(pkg.engines.node).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(" ")))!.version);

describe("engines", () => {
  it("names the oldest Node of each line it accepts", () => {
    expect(oldestAccepted.length).toBeGreaterThan(0);
  });

  it.each(oldestAccepted)("Node %s satisfies every package npm installs", (version) => {
    const refused = Object.entries(lock.packages)
      .filter(([path, p]) => path !== "" && !p.optional)
      .flatMap(([path, p]) => {
        const wants = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return wants && !semver.satisfies(version, wants) ? [`${path.replace(/^.*node_modules\//, "")}@${p.version} wants node ${wants}`] : [];
      });
    expect(refused).toEqual([]);
  });
});
