/** Per-attempt clocks: first byte, idle gap between stream events, and the request's total deadline. */

export type TimeoutKind = "first_byte" | "idle" | "deadline";

export class UpstreamTimeout extends Error {
  constructor(readonly kind: TimeoutKind, readonly ms: number) {
    super(`upstream ${kind.replace("_", " ")} timeout after ${ms} ms`);
    this.name = "UpstreamTimeout";
  }
}

export class ClientAborted extends Error {
  constructor() {
    super("client closed the connection");
    this.name = "ClientAborted";
  }
}

/**
 * Re-arming a timer per stream chunk would cost two timer operations per token; instead `touch`
 * only stamps the time and the idle timer, when it fires, re-arms itself for what is left.
 */
export class AttemptClock {
  private phase: ReturnType<typeof setTimeout> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;
  private streaming = false;
  private lastActivity = 0;
  private waitingForConsumer = false;

  constructor(
    private readonly controller: AbortController,
    private readonly opts: { firstByteMs: number; idleMs: number; deadlineAt: number; now: () => number },
  ) {
    const remaining = Math.max(0, opts.deadlineAt - opts.now());
    this.deadline = setTimeout(() => this.fire(new UpstreamTimeout("deadline", remaining)), remaining);
    this.phase = setTimeout(() => this.fire(new UpstreamTimeout("first_byte", opts.firstByteMs)), opts.firstByteMs);
  }

  /** Data arrived: the idle gap starts again. */
  touch(): void {
    this.lastActivity = this.opts.now();
    if (!this.streaming) {
      this.streaming = true;
      if (this.phase) clearTimeout(this.phase);
      this.phase = setTimeout(this.checkIdle, this.opts.idleMs);
    }
  }

  /**
   * The client has not asked for more yet: the upstream is held back by us, not silent, so the
   * idle clock stops until `consumerReady`. The total deadline still runs.
   */
  consumerBusy(): void {
    this.waitingForConsumer = true;
  }

  consumerReady(): void {
    if (!this.waitingForConsumer) return;
    this.waitingForConsumer = false;
    this.lastActivity = this.opts.now();
  }

  clear(): void {
    if (this.phase) clearTimeout(this.phase);
    if (this.deadline) clearTimeout(this.deadline);
    this.phase = this.deadline = null;
  }

  private checkIdle = (): void => {
    const quiet = this.opts.now() - this.lastActivity;
    if (this.waitingForConsumer) this.phase = setTimeout(this.checkIdle, this.opts.idleMs);
    else if (quiet >= this.opts.idleMs) this.fire(new UpstreamTimeout("idle", this.opts.idleMs));
    else this.phase = setTimeout(this.checkIdle, this.opts.idleMs - quiet);
  };

  private fire(reason: UpstreamTimeout): void {
    this.clear();
    this.controller.abort(reason);
  }
}
