/**
 * Key revocation across instances. A revoked key id goes into a Redis set (the record) and out on
 * a pub/sub channel (the fast path). Each instance keeps a local copy of the set, updated by the
 * messages and re-read at least once a second on a check, so an instance that missed a message
 * (its subscriber was reconnecting) still stops accepting the key within a second.
 */
import type { Redis } from "ioredis";

export class RedisRevocations {
  private readonly setKey: string;
  private readonly channel: string;
  private readonly refreshMs: number;
  private revoked = new Set<string>();
  private syncedAt = -Infinity;
  private syncing: Promise<void> | null = null;
  private readonly listeners = new Set<(keyId: string) => void>();

  /** `subscriber` is a connection of its own: in subscribe mode it can run no other command. */
  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis | null,
    opts: { prefix?: string; refreshMs?: number } = {},
  ) {
    const prefix = opts.prefix ?? "switchyard:";
    this.setKey = `${prefix}revoked-keys`;
    this.channel = `${prefix}revoked-keys`;
    this.refreshMs = opts.refreshMs ?? 1_000;
  }

  /**
   * Subscribes; resolves once the subscription is live, or once the subscriber gave up waiting for
   * an unreachable Redis (it subscribes on its next connection).
   */
  async start(): Promise<void> {
    const sub = this.subscriber;
    if (!sub) return;
    sub.on("message", (channel: string, keyId: string) => {
      if (channel === this.channel) this.add(keyId);
    });
    // Messages sent while the subscriber was away are lost: the next check re-reads the set.
    // Subscribing again is harmless, and covers a start made while Redis was down.
    sub.on("ready", () => {
      this.syncedAt = -Infinity;
      sub.subscribe(this.channel).catch(() => undefined);
    });
    await sub.subscribe(this.channel).catch(() => undefined);
  }

  async revoke(keyId: string): Promise<void> {
    await this.redis.multi().sadd(this.setKey, keyId).publish(this.channel, keyId).exec();
    this.add(keyId);
  }

  /** True once any instance revoked the key; at most `refreshMs` behind when a message was missed. */
  async isRevoked(keyId: string, now: number): Promise<boolean> {
    if (this.revoked.has(keyId)) return true;
    if (now - this.syncedAt >= this.refreshMs) await this.sync(now);
    return this.revoked.has(keyId);
  }

  /** What this instance has already heard, without asking Redis. */
  isKnownRevoked(keyId: string): boolean {
    return this.revoked.has(keyId);
  }

  /** Called for every key revoked while subscribed, e.g. to drop it from a key cache. */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(keyId: string): void {
    if (this.revoked.has(keyId)) return;
    this.revoked.add(keyId);
    for (const l of this.listeners) l(keyId);
  }

  // Concurrent checks share one read of the set.
  private sync(now: number): Promise<void> {
    this.syncing ??= this.redis
      .smembers(this.setKey)
      .then((ids) => {
        for (const id of ids) this.add(id);
        this.syncedAt = now;
      })
      .finally(() => {
        this.syncing = null;
      });
    return this.syncing;
  }
}
