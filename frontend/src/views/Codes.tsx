/**
 * "Have a code?" at checkout (issue 24): a voucher code, previewed before reserving (its
 * discount, or the hidden tariffs it reveals), and a gift card, whose balance is read to
 * show what it pays and what is left to pay by card. The server decides again when the
 * order is reserved; these figures only inform.
 */

import { useRef, useState } from "preact/hooks";
import { api, type Category, type GiftCardBalance, type Performance, type PerformanceStatus,
         type VoucherPreview } from "../api";
import { money } from "../format";
import { t } from "../i18n";
import { errorMessage } from "./common";

export interface CodesChoice {
  voucher?: string;
  gift_card?: string;
}

/**
 * The estimated price of the reservation's `lines` with a voucher's per-seat discounts, as
 * the server computes them (vouchers/pricing.py): at most its `max_per_order` seats are
 * discounted, the dearest first, and only seats of categories it discounts.
 */
export function estimateLines(lines: readonly { category: number; quantity: number }[],
                              categories: readonly { id: number; price_cents: number }[],
                              preview: VoucherPreview | null): { total: number; discount: number } {
  const priced = lines.map((line) => {
    const found = preview?.categories.find((c) => c.id === line.category);
    const unit = found?.price_cents ?? categories.find((c) => c.id === line.category)?.price_cents ?? 0;
    return { quantity: line.quantity, unit, off: found?.discount_cents ?? 0 };
  });
  let discount = 0;
  let discountable = preview?.max_per_order ?? Infinity;
  for (const line of [...priced].sort((a, b) => b.unit - a.unit)) {
    if (line.off <= 0) continue; // outside the voucher's scope: takes none of its seats
    const seats = Math.min(line.quantity, discountable);
    discountable -= seats;
    discount += line.off * seats;
  }
  const full = priced.reduce((sum, line) => sum + line.unit * line.quantity, 0);
  return { total: full - discount, discount };
}

/**
 * The hidden categories a voucher reveals, shaped as the performance's own categories (its
 * full price: the discount is the voucher's, estimateLines takes it off), so the reserve
 * form offers each as one more stepper, within its own limits.
 */
export function revealedCategories(preview: VoucherPreview | null, status: PerformanceStatus): Category[] {
  return (preview?.categories ?? []).filter((c) => c.hidden).map((c) => ({
    id: c.id, name: c.name, description: c.description, price_cents: c.price_cents,
    max_per_order: c.max_per_order, seats_left: c.seats_left,
    status: status === "on_sale" && c.seats_left === 0 ? "sold_out" : status,
  }));
}

/** `tariffs`: say which hidden tariffs a voucher reveals (the category form offers each as
 * a stepper); the seat map does not, its seats' zones decide their categories. */
export function CodesFields({ performance: p, total, onChange, tariffs = true }:
    { performance: Pick<Performance, "id" | "currency">; total: number; tariffs?: boolean;
      onChange: (choice: CodesChoice, preview: VoucherPreview | null) => void }) {
  const [open, setOpen] = useState(false);
  const [voucher, setVoucher] = useState("");
  const [preview, setPreview] = useState<VoucherPreview | null>(null);
  const [voucherError, setVoucherError] = useState<string | null>(null);
  const [removed, setRemoved] = useState(false);
  const [giftCode, setGiftCode] = useState("");
  const [gift, setGift] = useState<GiftCardBalance | null>(null);
  const [giftError, setGiftError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const voucherField = useRef<HTMLInputElement>(null);
  const id = `codes-${p.id}`;

  const report = (next: { preview?: VoucherPreview | null; gift?: GiftCardBalance | null }) => {
    const pv = next.preview !== undefined ? next.preview : preview;
    const g = next.gift !== undefined ? next.gift : gift;
    onChange({ voucher: pv ? pv.code : undefined, gift_card: g ? giftCode.trim() : undefined }, pv);
  };

  /** No voucher any more: its tariffs leave the basket with it. */
  const removeVoucher = () => {
    setVoucher("");
    setVoucherError(null);
    setPreview(null);
    setRemoved(true);
    report({ preview: null });
    voucherField.current?.focus(); // the button that had focus is gone
  };

  const applyVoucher = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!voucher.trim()) {
      if (preview) removeVoucher(); // applying an emptied field takes the code away
      return;
    }
    setBusy(true);
    setVoucherError(null);
    setRemoved(false);
    try {
      const found = await api.voucherPreview(voucher, p.id);
      setPreview(found);
      report({ preview: found });
    } catch (e) {
      setPreview(null);
      setVoucherError(errorMessage(e));
      report({ preview: null });
    } finally {
      setBusy(false);
    }
  };

  const applyGift = async (event: Event) => {
    event.preventDefault();
    if (!giftCode.trim() || busy) return;
    setBusy(true);
    setGiftError(null);
    try {
      const found = await api.giftCardBalance(giftCode);
      if (found.balance_cents <= 0) throw new Error("empty");
      setGift(found);
      report({ gift: found });
    } catch (e) {
      setGift(null);
      setGiftError(e instanceof Error && e.message === "empty" ? t("This gift card has no balance left.") : errorMessage(e));
      report({ gift: null });
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return <button type="button" class="link-button" onClick={() => setOpen(true)}>{t("Have a code?")}</button>;
  }
  const applied = gift ? Math.min(gift.balance_cents, total) : 0;
  const hidden = tariffs ? preview?.categories.filter((c) => c.hidden) ?? [] : [];
  const discounted = preview?.categories.filter((c) => c.discount_cents > 0) ?? [];
  return (
    <div class="codes" id={id}>
      <div class="code-row">
        <label for={`${id}-voucher`}>{t("Voucher code")}</label>
        <input id={`${id}-voucher`} ref={voucherField} value={voucher} autoComplete="off" spellcheck={false}
               aria-describedby={voucherError ? `${id}-voucher-error` : preview ? `${id}-voucher-ok` : undefined}
               onInput={(e) => setVoucher(e.currentTarget.value)}
               onKeyDown={(e) => { if (e.key === "Enter") void applyVoucher(e); }} />
        <button type="button" class="button button-secondary" disabled={busy} onClick={applyVoucher}>{t("Apply code")}</button>
        {preview && <button type="button" class="link-button" disabled={busy} onClick={removeVoucher}>{t("Remove code")}</button>}
      </div>
      {voucherError && <p id={`${id}-voucher-error`} class="field-error" role="alert">{voucherError}</p>}
      {/* Always there while the codes are open, so that what a code does is announced. */}
      <div id={`${id}-voucher-ok`} class="code-result" role="status">
        {preview && discounted.length > 0 && (
          <p>{t("Code {code}:", { code: preview.code })} {discounted.map((c) => t("{name} {price} instead of {full}", { name: c.name, price: money(c.price_cents - c.discount_cents, p.currency), full: money(c.price_cents, p.currency) })).join(", ")}</p>
        )}
        {hidden.length > 0 && (
          <p class="code-unlocks">{t("Your code unlocks: {names}", { names: hidden.map((c) => c.name).join(", ") })}</p>
        )}
        {removed && !preview && <p>{t("Code removed.")}</p>}
      </div>
      <div class="code-row">
        <label for={`${id}-gift`}>{t("Gift card")}</label>
        <input id={`${id}-gift`} value={giftCode} autoComplete="off" spellcheck={false}
               onInput={(e) => setGiftCode(e.currentTarget.value)}
               onKeyDown={(e) => { if (e.key === "Enter") void applyGift(e); }} />
        <button type="button" class="button button-secondary" disabled={busy} onClick={applyGift}>{t("Apply gift card")}</button>
      </div>
      {giftError && <p class="field-error" role="alert">{giftError}</p>}
      {gift && (
        <p class="code-result" role="status" data-gift-applied={applied}>
          {t("Gift card: {applied} applied · {due} left to pay by card", { applied: money(applied, gift.currency), due: money(total - applied, gift.currency) })}
        </p>
      )}
    </div>
  );
}
