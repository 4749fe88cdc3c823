/** A performance's refund rule in one sentence, shown before paying (issue 21). */

import { t } from "../i18n";
import type { RefundPolicy } from "../api";
import { dayAndTime } from "../format";

/** "5%", "2.5%" from the API's decimal string ("5.00"). */
function percent(value: string): string {
  return `${Number(value)}%`;
}

/**
 * "Cancel until Fri 12 Jun, 18:00 for a full refund." / "…for a refund, fee €2.00." /
 * "…fee €2.00 + 5% of the total." / "No cancellation: tickets cannot be refunded." (or: its
 * deadline has passed, by `now`).
 * The fee is per order; the server computes it (and rounds it) when an order is cancelled.
 */
export function refundRule(policy: RefundPolicy | null | undefined,
                           money: (cents: number) => string, now = Date.now()): string | null {
  if (!policy) return null;
  if (!policy.customer_may_cancel || !policy.cancel_until) {
    return t("No cancellation: tickets cannot be refunded.");
  }
  if (Date.parse(policy.cancel_until) <= now) {
    return t("No cancellation: the deadline to cancel ({when}) has passed.", { when: dayAndTime(policy.cancel_until) });
  }
  const fees = [
    policy.fee_fixed_cents > 0 ? money(policy.fee_fixed_cents) : "",
    Number(policy.fee_percent) > 0 ? t("{percent} of the total", { percent: percent(policy.fee_percent) }) : "",
  ].filter(Boolean);
  const until = dayAndTime(policy.cancel_until);
  return fees.length ? t("Cancel until {when} for a refund, fee {fee}.", { when: until, fee: fees.join(" + ") })
    : t("Cancel until {when} for a full refund.", { when: until });
}

/**
 * The fee the rule keeps when an order of `totalCents` is cancelled: the fixed part plus the
 * percent part rounded to the nearest cent, halves up (12.5 ¢ → 13 ¢), never more than the
 * total — as the server computes it (tickets/refunds.py), which has the last word: the cancel
 * answer's `fee_cents` is what is shown afterwards.
 */
export function cancellationFee(policy: RefundPolicy, totalCents: number): number {
  const hundredths = Math.round(Number(policy.fee_percent) * 100); // "12.50" → 1250
  const percentPart = Math.floor((totalCents * hundredths * 2 + 10_000) / 20_000);
  return Math.min(policy.fee_fixed_cents + percentPart, totalCents);
}

/** Whether a customer may still cancel at `now` (ms), as far as the rule says. */
export function mayCancel(policy: RefundPolicy, now: number): boolean {
  return policy.customer_may_cancel && !!policy.cancel_until && Date.parse(policy.cancel_until) > now;
}
