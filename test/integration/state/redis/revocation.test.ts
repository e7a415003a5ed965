import { expect, it } from "vitest";
import { RedisRevocations } from "@/lib/state/redis/revocation";
import { useRedis } from "@/test/helpers/redis-server";

const client = useRedis({ flushEach: false });

const T0 = 9_000_000;

it("a key revoked on one instance is refused by another as soon as the message arrives", async () => {
  const a = new RedisRevocations(client(), client(), { prefix: "t1:" });
  const b = new RedisRevocations(client(), client(), { prefix: "t1:" });
  await Promise.all([a.start(), b.start()]);
  expect(await b.isRevoked("key_1", T0)).toBe(false);
  const heard = new Promise<string>((resolve) => b.onRevoked(resolve));
  await a.revoke("key_1");
  expect(await heard).toBe("key_1");
  // No re-read is due (same clock), so this answer comes from the message alone.
  expect(await b.isRevoked("key_1", T0)).toBe(true);
  expect(await b.isRevoked("key_2", T0)).toBe(false);
});

it("an instance that missed the message sees the revocation on its next check within a second", async () => {
  const a = new RedisRevocations(client(), null, { prefix: "t2:" });
  const deaf = new RedisRevocations(client(), null, { prefix: "t2:" });
  expect(await deaf.isRevoked("key_1", T0)).toBe(false);
  await a.revoke("key_1");
  expect(await deaf.isRevoked("key_1", T0 + 999)).toBe(false);
  expect(await deaf.isRevoked("key_1", T0 + 1_000)).toBe(true);
  // A fresh instance reads the record on its first check.
  expect(await new RedisRevocations(client(), null, { prefix: "t2:" }).isRevoked("key_1", T0)).toBe(true);
});
