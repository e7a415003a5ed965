import { describe, expect, it } from "vitest";
import { CircuitBreakers, type BreakerTransition } from "@/lib/gateway/circuit-breaker";

const T0 = 1_700_000_000_000;
const M = "model:gpt";

function setup() {
  const events: BreakerTransition[] = [];
  const cb = new CircuitBreakers({}, (e) => events.push(e));
  return { cb, events };
}

function feed(cb: CircuitBreakers, oks: number, fails: number, now: number) {
  for (let i = 0; i < oks; i++) cb.record(M, true, now, false);
  for (let i = 0; i < fails; i++) cb.record(M, false, now, false);
}

function trip(cb: CircuitBreakers, now: number) {
  feed(cb, 5, 5, now);
  expect(cb.state(M, now).state).toBe("open");
}

describe("CircuitBreakers (closed)", () => {
  it("stays closed below the minimum volume, whatever the failure rate", () => {
    const { cb, events } = setup();
    feed(cb, 0, 9, T0);
    expect(cb.acquire(M, T0)).toEqual({ allowed: true, state: "closed", probe: false });
    expect(cb.state(M, T0)).toMatchObject({ state: "closed", requests: 9, failures: 9, failureRate: 1 });
    expect(events).toEqual([]);
  });

  it("stays closed below the threshold", () => {
    const { cb } = setup();
    feed(cb, 6, 4, T0);
    expect(cb.state(M, T0).state).toBe("closed");
  });

  it("opens when the failure rate reaches the threshold at minimum volume", () => {
    const { cb, events } = setup();
    feed(cb, 5, 4, T0);
    expect(cb.state(M, T0).state).toBe("closed");
    cb.record(M, false, T0 + 1, false);
    expect(cb.state(M, T0 + 1)).toEqual({
      state: "open",
      failureRate: 0.5,
      requests: 10,
      failures: 5,
      openedAt: T0 + 1,
      nextProbeAt: T0 + 30_001,
    });
    expect(events).toEqual([{ key: M, from: "closed", to: "open", at: T0 + 1, failureRate: 0.5, requests: 10 }]);
  });

  it("also opens when the minimum volume is reached by a success", () => {
    const { cb } = setup();
    feed(cb, 0, 9, T0);
    cb.record(M, true, T0, false);
    expect(cb.state(M, T0).state).toBe("open");
  });

  it("rolls old failures out of the window", () => {
    const { cb } = setup();
    feed(cb, 0, 8, T0);
    // 61 s later the failures are gone; 2 more failures are 2 of 2, below minimum volume.
    feed(cb, 0, 2, T0 + 61_000);
    expect(cb.state(M, T0 + 61_000)).toMatchObject({ state: "closed", requests: 2, failures: 2 });
    // Within the window they still count: 8 failures + 2 = open.
    const other = setup().cb;
    for (let i = 0; i < 8; i++) other.record(M, false, T0, false);
    for (let i = 0; i < 2; i++) other.record(M, false, T0 + 40_000, false);
    expect(other.state(M, T0 + 40_000).state).toBe("open");
  });

  it("keeps keys independent", () => {
    const { cb } = setup();
    trip(cb, T0);
    expect(cb.acquire("model:other", T0).allowed).toBe(true);
  });
});

describe("CircuitBreakers (open and half-open)", () => {
  it("blocks while open", () => {
    const { cb } = setup();
    trip(cb, T0);
    expect(cb.acquire(M, T0 + 29_999)).toEqual({ allowed: false, state: "open", probe: false });
  });

  it("after the cool-down allows only N concurrent probes", () => {
    const { cb, events } = setup();
    trip(cb, T0);
    const t = T0 + 30_000;
    expect(cb.state(M, t).state).toBe("half_open");
    for (let i = 0; i < 3; i++) expect(cb.acquire(M, t)).toEqual({ allowed: true, state: "half_open", probe: true });
    expect(cb.acquire(M, t)).toEqual({ allowed: false, state: "half_open", probe: false });
    expect(events.map((e) => e.to)).toEqual(["open", "half_open"]);
  });

  it("closes after N probe successes, with a fresh window", () => {
    const { cb, events } = setup();
    trip(cb, T0);
    const t = T0 + 30_000;
    for (let i = 0; i < 3; i++) cb.acquire(M, t);
    cb.record(M, true, t + 10, true);
    cb.record(M, true, t + 20, true);
    expect(cb.state(M, t + 20).state).toBe("half_open");
    expect(cb.acquire(M, t + 20).probe).toBe(true); // a finished probe frees its slot
    cb.record(M, true, t + 30, true);
    expect(cb.state(M, t + 30)).toEqual({
      state: "closed",
      failureRate: 0,
      requests: 0,
      failures: 0,
      openedAt: null,
      nextProbeAt: null,
    });
    expect(cb.acquire(M, t + 30)).toEqual({ allowed: true, state: "closed", probe: false });
    expect(events.map((e) => e.to)).toEqual(["open", "half_open", "closed"]);
  });

  it("a probe failure re-opens with a fresh cool-down", () => {
    const { cb } = setup();
    trip(cb, T0);
    const t = T0 + 30_000;
    cb.acquire(M, t);
    cb.acquire(M, t);
    cb.record(M, true, t + 5, true);
    cb.record(M, false, t + 100, true);
    expect(cb.state(M, t + 100)).toMatchObject({ state: "open", openedAt: t + 100, nextProbeAt: t + 30_100 });
    expect(cb.acquire(M, t + 30_099).allowed).toBe(false);
    expect(cb.acquire(M, t + 30_100).probe).toBe(true);
  });

  it("ignores results of calls admitted before the trip and stale probes", () => {
    const { cb } = setup();
    trip(cb, T0);
    feed(cb, 20, 0, T0 + 1); // late successes do not close it
    cb.record(M, true, T0 + 2, true); // a probe result while open is stale
    expect(cb.state(M, T0 + 2).state).toBe("open");
  });

  it("reclaims probe slots whose results never came back", () => {
    const { cb } = setup();
    trip(cb, T0);
    const t = T0 + 30_000;
    for (let i = 0; i < 3; i++) cb.acquire(M, t);
    expect(cb.acquire(M, t + 29_999).allowed).toBe(false);
    expect(cb.acquire(M, t + 30_000).probe).toBe(true);
  });

  it("setOptions applies to the next decision", () => {
    const { cb } = setup();
    cb.setOptions({ minimumRequests: 2, failureRateThreshold: 1, openMs: 1000, halfOpenProbes: 1 });
    cb.record(M, false, T0, false);
    cb.record(M, true, T0, false);
    expect(cb.state(M, T0).state).toBe("closed"); // 50 % < 100 %
    cb.record("model:b", false, T0, false);
    cb.record("model:b", false, T0, false);
    expect(cb.state("model:b", T0).state).toBe("open");
    expect(cb.acquire("model:b", T0 + 1000).probe).toBe(true);
    expect(cb.acquire("model:b", T0 + 1000).allowed).toBe(false); // one probe at a time
    cb.record("model:b", true, T0 + 1001, true);
    expect(cb.state("model:b", T0 + 1001).state).toBe("closed");
  });

  it("a new window size starts the windows afresh", () => {
    const { cb } = setup();
    feed(cb, 0, 9, T0);
    cb.setOptions({ windowMs: 10_000 });
    expect(cb.state(M, T0)).toMatchObject({ requests: 0, failures: 0 });
    feed(cb, 0, 9, T0 + 1);
    expect(cb.state(M, T0 + 10_001).requests).toBe(0); // rolled out of the 10 s window
  });
});
