/**
 * Time left on a hold, or until tickets go on sale (OnSale.tsx, `urgentMs` 0). The visible clock ticks every second but is not a live region (a
 * `timer` is polite-off by default); screen readers hear only a few milestones, and only
 * when they are crossed while the page is open.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { clock, isoDuration, msUntil } from "../format";
import { t } from "../i18n";

const MILESTONES = [5 * 60_000, 2 * 60_000, 60_000];

function milestone(ms: number): number {
  return MILESTONES.filter((limit) => ms <= limit).length;
}

function spoken(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes <= 1 ? t("Less than a minute left to pay before your seats are released.")
                      : t("{minutes} minutes left to pay before your seats are released.", { minutes });
}

export function Countdown({ expiresAt, now, label = t("Your seats are held for"), announce = false,
                           urgentMs = 2 * 60_000 }:
    { expiresAt: string | null | undefined; now: number; label?: string; announce?: boolean;
      urgentMs?: number }) {
  const left = msUntil(expiresAt, now);
  const reached = milestone(left);
  const seen = useRef(reached);
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (reached > seen.current && left > 0) setMessage(spoken(left));
    seen.current = reached;
  }, [reached, left]);
  if (left === Infinity) return null;
  return (
    <div class={`countdown${left <= urgentMs ? " countdown-urgent" : ""}`}>
      <p>
        {label}{" "}
        <span role="timer" class="countdown-clock">
          <time dateTime={isoDuration(left)}>{clock(left)}</time>
        </span>
      </p>
      {announce && <p class="visually-hidden" aria-live="polite" aria-atomic="true">{message}</p>}
    </div>
  );
}
