/**
 * A performance announced but not on sale yet: "On sale Friday 12 June at 10:00" and a live
 * countdown on the server's clock (serverClock.ts), which turns into the buy form at the
 * exact second: the clock ticks on the on-sale time's own second boundaries, and its last
 * tick is the on-sale time itself.
 */

import { t } from "../i18n";
import { useEffect, useState } from "preact/hooks";
import { dayAndTime } from "../format";
import { onClockChange, serverNow, syncClock } from "../serverClock";
import { Countdown } from "./Countdown";

/** Milliseconds to the next whole second before `left` runs out (and `left` itself last). */
export function nextTick(left: number): number {
  if (left <= 0) return 0;
  const rest = left % 1000;
  return Math.max(1, Math.ceil(rest === 0 ? 1000 : rest));
}

/**
 * The server's time (ms) while counting down to `targetIso`, read at each second boundary
 * before it and once at it; null until the clock is measured. Stops at the target.
 */
export function useServerClock(targetIso: string | null | undefined): number | null {
  const [now, setNow] = useState<number | null>(null);
  const target = targetIso ? Date.parse(targetIso) : NaN;
  useEffect(() => {
    if (Number.isNaN(target)) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      clearTimeout(timer);
      if (!live) return;
      const at = serverNow();
      setNow(at);
      if (at < target) timer = setTimeout(tick, nextTick(target - at));
    };
    const unsubscribe = onClockChange(tick); // measured again: count from the new offset
    // Not measured (offline): the browser's clock, and the server has the last word.
    void syncClock().finally(tick);
    // A tab put in the background has its timers slowed down: catch up when it is back.
    const onVisible = () => { if (document.visibilityState === "visible") tick(); };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      live = false;
      clearTimeout(timer);
      unsubscribe();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [target]);
  return now;
}

export function OnSaleCountdown({ onSaleAt, now }: { onSaleAt: string | null; now: number | null }) {
  if (!onSaleAt) return <p class="on-sale-at">Not on sale yet.</p>;
  return (
    <div class="on-sale-soon">
      <p class="on-sale-at">On sale <time dateTime={onSaleAt}>{dayAndTime(onSaleAt, true)}</time></p>
      {now !== null && <Countdown expiresAt={onSaleAt} now={now} label={t("Opens in")} urgentMs={0} />}
    </div>
  );
}
