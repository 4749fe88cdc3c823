/**
 * "Have a code?" at checkout (issue 24): a voucher code, previewed before reserving (its
 * discount, or the hidden tariffs it reveals), and a gift card, whose balance is read to
 * show what it pays and what is left to pay by card. The server decides again when the
 * order is reserved; these figures only inform.
 */

import { useState } from "preact/hooks";
import { api, type GiftCardBalance, type Performance, type VoucherPreview } from "../api";
import { money } from "../format";
import { t } from "../i18n";
import { errorMessage } from "./common";

export interface CodesChoice {
  voucher?: string;
  gift_card?: string;
  /** A hidden category the voucher revealed and the customer chose. */
  category?: number;
}

/** The estimated price of `quantity` seats at `unit` with a voucher's per-seat discount. */
export function estimate(unit: number, quantity: number, preview: VoucherPreview | null,
                         categoryId?: number): { total: number; discount: number } {
  const category = preview?.categories.find((c) => c.id === categoryId)
    ?? preview?.categories.find((c) => !c.hidden && c.price_cents === unit);
  const price = category ? category.price_cents : unit;
  const seats = preview?.max_per_order ? Math.min(quantity, preview.max_per_order) : quantity;
  const discount = category ? category.discount_cents * seats : 0;
  return { total: price * quantity - discount, discount };
}

/** The estimated price of the reservation's `lines` with a voucher's per-seat discounts
 * (at most its `max_per_order` seats discounted). */
export function estimateLines(lines: readonly { category: number; quantity: number }[],
                              categories: readonly { id: number; price_cents: number }[],
                              preview: VoucherPreview | null): { total: number; discount: number } {
  let total = 0;
  let discount = 0;
  let discountable = preview?.max_per_order ?? Infinity;
  for (const line of lines) {
    const found = preview?.categories.find((c) => c.id === line.category);
    const unit = found?.price_cents ?? categories.find((c) => c.id === line.category)?.price_cents ?? 0;
    const seats = Math.min(line.quantity, discountable);
    discountable -= seats;
    const off = found ? found.discount_cents * seats : 0;
    total += unit * line.quantity - off;
    discount += off;
  }
  return { total, discount };
}

/** `tariffs`: offer the hidden tariffs a voucher reveals (the category form); the seat map
 * does not, its seats' zones decide their categories. */
export function CodesFields({ performance: p, total, onChange, tariffs = true }:
    { performance: Pick<Performance, "id" | "currency">; total: number; tariffs?: boolean;
      onChange: (choice: CodesChoice, preview: VoucherPreview | null) => void }) {
  const [open, setOpen] = useState(false);
  const [voucher, setVoucher] = useState("");
  const [preview, setPreview] = useState<VoucherPreview | null>(null);
  const [voucherError, setVoucherError] = useState<string | null>(null);
  const [category, setCategory] = useState<number | undefined>(undefined);
  const [giftCode, setGiftCode] = useState("");
  const [gift, setGift] = useState<GiftCardBalance | null>(null);
  const [giftError, setGiftError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `codes-${p.id}`;

  const report = (next: { preview?: VoucherPreview | null; category?: number; gift?: GiftCardBalance | null }) => {
    const pv = next.preview !== undefined ? next.preview : preview;
    const g = next.gift !== undefined ? next.gift : gift;
    const cat = "category" in next ? next.category : category;
    onChange({ voucher: pv ? pv.code : undefined, gift_card: g ? giftCode.trim() : undefined,
               category: pv ? cat : undefined }, pv);
  };

  const applyVoucher = async (event: Event) => {
    event.preventDefault();
    if (!voucher.trim() || busy) return;
    setBusy(true);
    setVoucherError(null);
    try {
      const found = await api.voucherPreview(voucher, p.id);
      setPreview(found);
      const revealed = tariffs ? found.categories.find((c) => c.hidden) : undefined;
      setCategory(revealed?.id);
      report({ preview: found, category: revealed?.id });
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
        <input id={`${id}-voucher`} value={voucher} autoComplete="off" spellcheck={false}
               aria-describedby={voucherError ? `${id}-voucher-error` : preview ? `${id}-voucher-ok` : undefined}
               onInput={(e) => setVoucher(e.currentTarget.value)}
               onKeyDown={(e) => { if (e.key === "Enter") void applyVoucher(e); }} />
        <button type="button" class="button button-secondary" disabled={busy} onClick={applyVoucher}>{t("Apply code")}</button>
      </div>
      {voucherError && <p id={`${id}-voucher-error`} class="field-error" role="alert">{voucherError}</p>}
      {preview && (
        <div id={`${id}-voucher-ok`} class="code-result" role="status">
          {discounted.length > 0 && (
            <p>{t("Code {code}:", { code: preview.code })} {discounted.map((c) => t("{name} {price} instead of {full}", { name: c.name, price: money(c.price_cents - c.discount_cents, p.currency), full: money(c.price_cents, p.currency) })).join(", ")}</p>
          )}
          {hidden.length > 0 && (
            <fieldset class="tariffs">
              <legend>{t("Tariffs your code unlocks")}</legend>
              {hidden.map((c) => (
                <label key={c.id}>
                  <input type="radio" name={`${id}-tariff`} checked={category === c.id}
                         onChange={() => { setCategory(c.id); report({ category: c.id }); }} />
                  {" "}{c.name} · {money(c.price_cents - c.discount_cents, p.currency)}
                </label>
              ))}
              <label>
                <input type="radio" name={`${id}-tariff`} checked={category === undefined}
                       onChange={() => { setCategory(undefined); report({ category: undefined }); }} />
                {" "}{t("Standard tickets")}
              </label>
            </fieldset>
          )}
        </div>
      )}
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
