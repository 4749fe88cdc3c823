/**
 * The server's clock, as seen from here: `serverNow()` is the browser's clock plus an offset
 * measured once against `GET /api/v1/time/` (NTP's estimate: the server read its clock
 * halfway through the round trip; the quickest of a few samples wins). A countdown to an
 * on-sale time follows it, so it opens at the server's second whatever the browser's clock
 * says. Until the first measurement (or if it fails) the offset is 0: the browser's clock.
 */

import { api } from "./api";

let offsetMs = 0;
let measured: Promise<number> | null = null;
const listeners = new Set<() => void>();

/** server time − local time, given when the request left, when the answer came, and the
 * server's `now` (read, on average, halfway through the round trip). */
export function offsetFrom(sentAt: number, receivedAt: number, serverIso: string): number {
  const server = Date.parse(serverIso);
  if (Number.isNaN(server)) throw new Error(`not a time: ${serverIso}`);
  return server - (sentAt + receivedAt) / 2;
}

async function sample(): Promise<{ offset: number; rtt: number }> {
  const sentAt = Date.now();
  const { now } = await api.serverTime();
  const receivedAt = Date.now();
  return { offset: offsetFrom(sentAt, receivedAt, now), rtt: receivedAt - sentAt };
}

/** How many round trips a measurement takes at most; a quick one (≤ 100 ms) is enough. */
const SAMPLES = 3;
const GOOD_RTT_MS = 100;

async function measure(): Promise<number> {
  let best: { offset: number; rtt: number } | null = null;
  for (let i = 0; i < SAMPLES; i++) {
    const next = await sample();
    if (!best || next.rtt < best.rtt) best = next;
    if (best.rtt <= GOOD_RTT_MS) break;
  }
  offsetMs = best!.offset;
  listeners.forEach((listener) => listener());
  return offsetMs;
}

/**
 * Measures the offset once per page (`again`: measure anew, e.g. after the server said
 * "not on sale yet" when this clock said it was). Resolves with the offset; a failure leaves
 * the previous one (0: the browser's clock) and is retried on the next call.
 */
export function syncClock(again = false): Promise<number> {
  if (!measured || again) {
    measured = measure().catch(() => { measured = null; return offsetMs; });
  }
  return measured;
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Called whenever a new measurement changes the offset; returns the unsubscribe. */
export function onClockChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

/** Tests: forget the measurement. */
export function resetClock(offset = 0): void {
  offsetMs = offset;
  measured = null;
}
