/** Cancelling an order, after a confirmation step: a held order's seats are released, a paid
 * order is refunded. The server has the last word (409 sales_closed after the start). */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Order } from "../api";
import { money } from "../format";
import { t, tn } from "../i18n";
import { errorMessage } from "./common";

function question(order: Order): string {
  const n = order.quantity;
  if (order.status === "pending") {
    return tn(n, "Cancel {n} ticket? The held seats go back on sale; your card has not been charged.",
              "Cancel {n} tickets? The held seats go back on sale; your card has not been charged.");
  }
  const paid = order.payment && order.payment.amount_cents > 0 ? order.payment : null;
  return paid
    ? tn(n, "Cancel {n} ticket? The seats go back on sale and {amount} is refunded to your card.",
         "Cancel {n} tickets? The seats go back on sale and {amount} is refunded to your card.",
         { amount: money(paid.amount_cents - paid.refunded_cents, paid.currency) })
    : tn(n, "Cancel {n} ticket? The seats go back on sale.", "Cancel {n} tickets? The seats go back on sale.");
}

export function CancelOrder({ order, onCancelled }: { order: Order; onCancelled: (order: Order) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Keyboard users keep their place: focus follows the step that replaced the button.
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

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
      ) : (
        <div class="confirm" role="group" aria-label={t("Confirm cancellation")}>
          <p>{question(order)}</p>
          <button type="button" class="button button-danger" disabled={busy} onClick={cancel} ref={confirmRef}>
            {busy ? t("Cancelling…") : t("Yes, cancel")}
          </button>
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
            {order.status === "pending" ? t("Keep my seats") : t("Keep my tickets")}
          </button>
        </div>
      )}
      {error !== null && <p class="inline-error" role="alert">{errorMessage(error)}</p>}
    </div>
  );
}
