/**
 * The rollout loop's ticks over the real migrations in memory, held at the usage flush each due
 * tick starts with: a tick never starts while another runs, and stop waits for the one running.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRoute } from "@/lib/admin/routes";
import { startRolloutLoop } from "@/lib/rollout/loop";
import { createHarness, START, type Harness } from "../../helpers/gateway";

let h: Harness;

beforeEach(async () => {
  h = createHarness();
  await h.model("control");
  await h.model("candidate");
  await createRoute(h.admin, { name: "split", control: "control", candidate: "candidate", evalIntervalSeconds: 1 });
});
afterEach(() => h.close());

/** Loop dependencies whose usage flush waits for the test; every reading of the clock is a minute later. */
function heldDeps() {
  const flushes: Array<() => void> = [];
  let minutes = 0;
  const deps = {
    now: () => START + ++minutes * 60_000,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    onRouteChanged: () => {},
    flushUsage: () => new Promise<void>((resolve) => flushes.push(resolve)),
  };
  return { deps, flushes };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the rollout loop", () => {
  it("starts a tick only once the one before it has finished", async () => {
    const { deps, flushes } = heldDeps();
    const loop = startRolloutLoop(deps, 3_600_000);
    const first = loop.tick();
    const second = loop.tick();
    await settle();
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    await first;
    await settle();
    expect(flushes).toHaveLength(2);
    flushes[1]!();
    await second;
    await loop.stop();
  });

  it("stops only after the tick in progress has finished", async () => {
    const { deps, flushes } = heldDeps();
    const loop = startRolloutLoop(deps, 3_600_000);
    void loop.tick();
    await settle();
    let stopped = false;
    const stop = loop.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    flushes[0]!();
    await stop;
    expect(stopped).toBe(true);
  });
});
