/**
 * Progress of a long command (check, bench, explore). On a terminal: one line rewritten at most
 * ten times a second. Off a terminal (CI): a heartbeat line on stderr every 10 s, so a log shows
 * the run is alive, how fast it goes and how to reproduce it.
 */
import type { Io } from './io.js';

export const HEARTBEAT_MS = 10_000;
const REDRAW_MS = 100;

export class Progress {
  private readonly started: number;
  private last: number;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly everyMs = HEARTBEAT_MS,
  ) {
    this.started = this.now();
    this.last = this.started;
  }

  private now(): number {
    return this.io.now ? this.io.now() : performance.now();
  }

  /** Milliseconds since the command started. */
  elapsed(): number {
    return this.now() - this.started;
  }

  /** Call as often as convenient: `line` is built only when it is shown. */
  update(line: (elapsedMs: number) => string, force = false): void {
    const now = this.now();
    if (this.io.tty && this.io.progress) {
      if (!force && now - this.last < REDRAW_MS) return;
      this.last = now;
      this.drawn = true;
      this.io.progress(line(now - this.started));
      return;
    }
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.io.err(line(now - this.started));
  }

  /** Clear the terminal line before the result is printed. */
  done(): void {
    if (this.drawn && this.io.progress) this.io.progress('');
  }
}
