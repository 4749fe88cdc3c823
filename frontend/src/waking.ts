/**
 * A paused database being woken (the small deployment: DEPLOY.md, "Profiles"). The server
 * answers 503 `database_resuming` with `Retry-After` while it resumes (15–30 s); `api.ts`
 * waits and asks again on its own, and the shell shows "Waking up the box office…" while
 * any request is waiting.
 */

import { useEffect, useState } from "preact/hooks";

/** How long the SPA keeps asking before it shows the error (a resume takes up to ~30 s). */
export const WAKING_GIVE_UP_MS = 90_000;

let waiting = 0;
const listeners = new Set<(waking: boolean) => void>();

function notify() {
  for (const listener of listeners) listener(waiting > 0);
}

/** Marks one request as waiting for the box office to wake up until `done()` is called. */
export function startWaiting(): () => void {
  waiting += 1;
  notify();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    waiting -= 1;
    notify();
  };
}

export function isWaking(): boolean {
  return waiting > 0;
}

export function useWaking(): boolean {
  const [waking, setWaking] = useState(isWaking);
  useEffect(() => {
    listeners.add(setWaking);
    setWaking(isWaking());
    return () => { listeners.delete(setWaking); };
  }, []);
  return waking;
}

/** Seconds from a Retry-After header (1–30; 5 when absent or unreadable). */
export function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) : 5) * 1000;
}

/** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new DOMException("Aborted", "AbortError")); return; }
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(new DOMException("Aborted", "AbortError"));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
