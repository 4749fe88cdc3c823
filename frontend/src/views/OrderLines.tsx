/** An order's lines (issue 21): each price category, how many seats, at what price each. */

import { t } from "../i18n";
import type { Order } from "../api";
import { money } from "../format";

/** "2 Full price, 1 Reduced": what an order holds, in a few words (one line: ""). */
export function linesInWords(order: Order): string {
  const lines = order.lines ?? [];
  return lines.length > 1 ? lines.map((l) => `${l.quantity} ${l.category.name}`).join(", ") : "";
}

/** Rows of a `<dl>`: the category, then "2 × €35.00". An order from before lines: one row. */
export function LineRows({ order }: { order: Order }) {
  const lines = order.lines ?? [];
  if (lines.length === 0) {
    return <div><dt>{t("Tickets")}</dt><dd>{order.quantity} × {money(Math.round(order.total_cents / order.quantity), order.currency)}</dd></div>;
  }
  return (
    <>
      {lines.map((l) => (
        <div key={l.category.id} class="order-line" data-category={l.category.id}>
          <dt>{l.category.name}</dt>
          <dd>{l.quantity} × {money(l.unit_price_cents, order.currency)}</dd>
        </div>
      ))}
    </>
  );
}
