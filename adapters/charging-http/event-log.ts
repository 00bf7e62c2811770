/**
 * A bounded, in-memory log of the core's events, so remote clients can follow them over HTTP
 * (`GET /api/v1/events?after=<cursor>`). The API subscribes to the core once and appends every event here;
 * clients read forward from an opaque cursor and may long-poll (wait up to `waitMs` for the next event).
 *
 * Why a cursor of the form `<stream>.<seq>`: the log lives in memory, so a restarted server starts a new
 * stream at sequence 0. A cursor from another stream (an older process) therefore means "from the oldest event
 * this process still holds", never "after sequence N of a log that no longer exists".
 *
 * Why bounded: a client that stops polling must not make the server hold events forever. A client that falls
 * behind by more than `capacity` events is told how many it missed (`missed`), instead of silently skipping.
 */
import { randomBytes } from 'node:crypto';
import type { ChargingEvent } from '../../charging/model.js';

export interface EventPage {
  events: ChargingEvent[];
  /** The cursor to pass as `after` next time. */
  next: string;
  /** Events that fell out of the log before this reader asked for them (0 when nothing was lost). */
  missed: number;
}

interface Waiter {
  wake: () => void;
}

export class ChargingEventLog {
  private readonly stream = randomBytes(6).toString('hex');
  private readonly entries: ChargingEvent[] = [];
  /** Sequence number of `entries[0]`; the log holds `firstSeq .. firstSeq + entries.length - 1`. */
  private firstSeq = 1;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly capacity = 1000) {}

  append(event: ChargingEvent): void {
    this.entries.push(event);
    if (this.entries.length > this.capacity) {
      this.entries.shift();
      this.firstSeq++;
    }
    for (const w of [...this.waiters]) w.wake();
  }

  /** The cursor of "now": reading from it returns only events appended later. */
  head(): string {
    return this.cursor(this.firstSeq + this.entries.length - 1);
  }

  /**
   * Events after `after` (at most `limit`). With `waitMs` > 0 and nothing new, waits until an event arrives,
   * `waitMs` passes or `cancelled` resolves (the client went away), whichever is first.
   */
  async read(after: string, limit: number, waitMs = 0, cancelled?: Promise<void>): Promise<EventPage> {
    const page = this.readNow(after, limit);
    if (page.events.length > 0 || page.missed > 0 || waitMs <= 0) return page;
    await new Promise<void>((resolve) => {
      const waiter: Waiter = { wake: () => done() };
      const timer = setTimeout(() => done(), waitMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
      cancelled?.then(done);
    });
    return this.readNow(after, limit);
  }

  /** Wakes every waiting reader (used when the server shuts down). */
  wakeAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }

  get pendingReaders(): number {
    return this.waiters.size;
  }

  private readNow(after: string, limit: number): EventPage {
    const lastSeq = this.firstSeq + this.entries.length - 1;
    const [stream, seqText] = after.split('.');
    const seq = Number(seqText);
    // Another stream (older process) or a cursor from the future: start at the oldest event still held.
    const fromSeq = stream === this.stream && Number.isSafeInteger(seq) && seq >= 0 && seq <= lastSeq ? seq + 1 : 0;
    const start = Math.max(fromSeq, this.firstSeq);
    const missed = fromSeq === 0 ? 0 : Math.max(0, this.firstSeq - fromSeq);
    const events = this.entries.slice(start - this.firstSeq, start - this.firstSeq + limit);
    return { events, next: this.cursor(start + events.length - 1), missed };
  }

  private cursor(seq: number): string {
    return `${this.stream}.${seq}`;
  }
}
