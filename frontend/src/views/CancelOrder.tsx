/** Cancelling an order, after a confirmation step: a held order's seats are released, a paid
 * order is refunded under its refund rule (less a fee, until a deadline: the performance's
 * `refund_policy`, read when the step opens). The server has the last word (409
 * cancellation_closed after the rule's deadline, sales_closed after the start), and its
 * answer's `refund_cents`/`fee_cents` are what the order then shows. */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Order, type RefundPolicy } from "../api";
import { dayAndTime, money } from "../format";
import { t, tn } from "../i18n";
import { errorMessage } from "./common";
import { cancellationFee, mayCancel } from "./refundRule";

/** What cancelling does, in one sentence; `closed`: the rule no longer lets the customer. */
export function question(order: Order, policy: RefundPolicy | null, now: number): { text: string; closed: boolean } {
  const n = order.quantity;
  if (order.status === "pending") {
    return { text: tn(n, "Cancel {n} ticket? The held seats go back on sale; your card has not been charged.",
                      "Cancel {n} tickets? The held seats go back on sale; your card has not been charged."), closed: false };
  }
  if (policy && !mayCancel(policy, now)) {
    return { closed: true, text: policy.customer_may_cancel && policy.cancel_until
      ? t("This order can no longer be cancelled: its refund rule allowed it until {when}.", { when: dayAndTime(policy.cancel_until) })
      : t("This order cannot be cancelled: its refund rule does not allow it.") };
  }
  const paid = order.payment && order.payment.amount_cents > 0 ? order.payment : null;
  if (!paid) return { text: tn(n, "Cancel {n} ticket? The seats go back on sale.", "Cancel {n} tickets? The seats go back on sale."), closed: false };
  const left = paid.amount_cents - paid.refunded_cents;
  const fee = policy ? Math.min(cancellationFee(policy, order.total_cents), left) : 0;
  const cents = (n: number) => money(n, paid.currency);
  return { closed: false, text: fee > 0
    ? tn(n, "Cancel {n} ticket? The seats go back on sale and {amount} is refunded to your card ({paid} paid, less a {fee} cancellation fee).",
         "Cancel {n} tickets? The seats go back on sale and {amount} is refunded to your card ({paid} paid, less a {fee} cancellation fee).",
         { amount: cents(left - fee), paid: cents(left), fee: cents(fee) })
    : tn(n, "Cancel {n} ticket? The seats go back on sale and {amount} is refunded to your card.",
         "Cancel {n} tickets? The seats go back on sale and {amount} is refunded to your card.", { amount: cents(left) }) };
}

export function CancelOrder({ order, onCancelled }: { order: Order; onCancelled: (order: Order) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The refund rule of a confirmed order: read when the confirmation step opens.
  const [policy, setPolicy] = useState<RefundPolicy | "loading" | null>(null);
  useEffect(() => {
    if (!confirming || order.status !== "confirmed") return;
    const controller = new AbortController();
    setPolicy("loading");
    api.performance(order.performance.id, controller.signal).then(
      (p) => setPolicy(p.refund_policy ?? null),
      () => { if (!controller.signal.aborted) setPolicy(null); }, // the server will say
    );
    return () => controller.abort();
  }, [confirming, order.status, order.performance.id]);
  // Keyboard users keep their place: focus follows the step that replaced the button.
  const confirmRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const asked = policy === "loading" ? null : question(order, policy, Date.now());
  useEffect(() => {
    if (confirming && asked) (asked.closed ? keepRef : confirmRef).current?.focus();
  }, [confirming, asked?.closed, !asked]);

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      const cancelled = await api.cancel(order.id);
      setConfirming(false);
      onCancelled(cancelled);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="order-actions">
      {!confirming ? (
        // Beside "Pay", giving up the seats is the quiet choice.
        <button type="button" class={`button ${order.status === "pending" ? "button-secondary" : "button-danger"}`}
                onClick={() => setConfirming(true)}>
          {t("Cancel order")}
        </button>
      ) : !asked ? (
        <p class="meta" role="status">{t("Checking the refund rule…")}</p>
      ) : (
        <div class="confirm" role="group" aria-label={t("Confirm cancellation")}>
          <p>{asked.text}</p>
          {!asked.closed && (
            <button type="button" class="button button-danger" disabled={busy} onClick={cancel} ref={confirmRef}>
              {busy ? t("Cancelling…") : t("Yes, cancel")}
            </button>
          )}
          <button type="button" class="button button-secondary" disabled={busy} ref={keepRef}
                  onClick={() => setConfirming(false)}>
            {order.status === "pending" ? t("Keep my seats") : t("Keep my tickets")}
          </button>
        </div>
      )}
      {error !== null && <p class="inline-error" role="alert">{errorMessage(error)}</p>}
    </div>
  );
}
