/** What an order's status and payment mean for the visitor, shared by the order views. */

import type { Order, Payment } from "../api";
import { msUntil } from "../format";
import { t } from "../i18n";

/** Paid at the bank, not yet confirmed by the server (the webhook or a reconciliation). */
export function paymentInFlight(order: Order): boolean {
  const status = order.payment?.status;
  return order.status === "pending" && (status === "processing" || status === "succeeded");
}

/** The last attempt failed and the hold is kept: the customer may try another card. */
export function paymentFailed(payment: Payment | null | undefined): boolean {
  if (!payment) return false;
  return payment.status === "canceled"
    || (payment.status === "requires_payment_method" && !!payment.last_error);
}

/** A pending order whose hold ran out, with no payment on its way: as good as expired. */
export function holdLapsed(order: Order, now: number): boolean {
  return order.status === "pending" && !paymentInFlight(order) && msUntil(order.expires_at, now) === 0;
}

const refundReasons = (): Record<string, string> => ({
  requested_by_customer: t("cancelled at your request"),
  duplicate: t("a duplicate payment"),
  fraudulent: t("suspected fraud"),
});

/**
 * "€70.00 refunded to your card (reason).", or that a refund is on its way (`owed` less what
 * was refunded already, else all that was paid), or null when
 * no money is to be returned.
 */
export function refundSentence(payment: Payment | null | undefined,
                               money: (cents: number, currency: string) => string,
                               owed?: number): string | null {
  if (!payment) return null;
  const reason = payment.refund_reason ? refundReasons()[payment.refund_reason] ?? payment.refund_reason : "";
  const why = reason ? ` (${reason})` : "";
  if (payment.status === "refund_due" || payment.status === "refunding") {
    // `owed`: the order's refund_cents (the paid amount less a cancellation fee), when known.
    const due = owed ? owed - payment.refunded_cents : payment.amount_cents - payment.refunded_cents;
    return t("A refund of {amount} to your card is on its way{why}.",
             { amount: money(due, payment.currency), why });
  }
  if (!payment.refunded_cents) return null;
  return t("{amount} refunded to your card{why}.", { amount: money(payment.refunded_cents, payment.currency), why });
}

/**
 * "A cancellation fee of €2.00 was kept (refund rule)." for a cancelled order whose refund
 * rule kept a fee, else null.
 */
export function feeSentence(order: Order,
                            money: (cents: number, currency: string) => string): string | null {
  if (order.status !== "cancelled" || !order.fee_cents) return null;
  return `A cancellation fee of ${money(order.fee_cents, order.currency)} was kept, as its refund rule says.`;
}
