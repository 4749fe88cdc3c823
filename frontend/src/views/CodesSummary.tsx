/** An order's voucher discount and gift-card part, in its summary (issue 24). */

import type { Order } from "../api";
import { money } from "../format";
import { t } from "../i18n";

export function CodesSummary({ order }: { order: Order }) {
  // Orders stored before vouchers (an idempotent replay) may lack the fields.
  const discount = (order.lines ?? []).reduce((sum, line) => sum + (line.discount_cents ?? 0), 0);
  const gift = order.paid_by_gift_card_cents ?? 0;
  if (!discount && !gift) return null;
  return (
    <>
      {discount > 0 && <div class="summary-discount"><dt>{t("Discount (voucher)")}</dt><dd>−{money(discount, order.currency)}</dd></div>}
      {gift > 0 && <div class="summary-gift"><dt>{t("Paid by gift card")}</dt><dd>{money(gift, order.currency)}</dd></div>}
      {gift > 0 && <div class="summary-due"><dt>{t("Left to pay by card")}</dt><dd>{money(order.total_cents - gift, order.currency)}</dd></div>}
    </>
  );
}
