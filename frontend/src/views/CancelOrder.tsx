/** Cancelling an order, after a confirmation step: a held order's seats are released, a paid
 * order is refunded. The server has the last word (409 sales_closed after the start). */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Order } from "../api";
import { money, plural } from "../format";
import { errorMessage } from "./common";

function question(order: Order): string {
  const tickets = plural(order.quantity, "ticket", "tickets");
  if (order.status === "pending") {
    return `Cancel ${tickets}? The held seats go back on sale; your card has not been charged.`;
  }
  const paid = order.payment && order.payment.amount_cents > 0 ? order.payment : null;
  return paid
    ? `Cancel ${tickets}? The seats go back on sale and ${money(paid.amount_cents - paid.refunded_cents, paid.currency)} is refunded to your card.`
    : `Cancel ${tickets}? The seats go back on sale.`;
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
          Cancel order
        </button>
      ) : (
        <div class="confirm" role="group" aria-label="Confirm cancellation">
          <p>{question(order)}</p>
          <button type="button" class="button button-danger" disabled={busy} onClick={cancel} ref={confirmRef}>
            {busy ? "Cancelling…" : "Yes, cancel"}
          </button>
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
            {order.status === "pending" ? "Keep my seats" : "Keep my tickets"}
          </button>
        </div>
      )}
      {error !== null && <p class="inline-error" role="alert">{errorMessage(error)}</p>}
    </div>
  );
}
