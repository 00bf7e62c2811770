import type { Clock } from '../../charging/ports.js';

/** A settable `Clock` for expiry tests: time moves only when the test says so. */
export class FixedClock implements Clock {
  #now: number;

  constructor(start: Date | string = '2025-01-15T10:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  set(at: Date | string): void {
    this.#now = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  advanceMinutes(m: number): void {
    this.advance(m * 60_000);
  }

  advanceDays(d: number): void {
    this.advance(d * 86_400_000);
  }
}
