/**
 * Buy a gift card (issue 24): an amount, who it is for and a message; paid by card with the
 * same Stripe flow as tickets; its code is emailed to the recipient (or the buyer) once paid.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, type GiftCardPurchase } from "../api";
import { signIn } from "../auth";
import { money } from "../format";
import { t } from "../i18n";
import { useSession } from "../session";
import { loadStripe, paymentMethodId, type CardElement, type StripeClient } from "../stripe";
import { PageTitle, errorMessage } from "./common";

const AMOUNTS = [2500, 5000, 10000];

export function GiftCards() {
  const session = useSession();
  const [amount, setAmount] = useState(AMOUNTS[0]);
  const [recipient, setRecipient] = useState("");
  const [message, setMessage] = useState("");
  const [purchase, setPurchase] = useState<GiftCardPurchase | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const buy = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      setPurchase(await api.buyGiftCard({ amount_cents: amount, recipient_email: recipient.trim(),
                                          message: message.trim() }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article aria-labelledby="page-title" class="gift-cards">
      <PageTitle title={t("Gift cards")}>{t("Gift cards")}</PageTitle>
      <p class="lead">{t("Give an evening out: a gift card pays for any tickets, in part or in full, for three years.")}</p>
      {purchase?.status === "paid" ? (
        <div class="notice" role="status">
          <p>{t("Thank you! Your gift card of {amount} is paid.", { amount: money(purchase.amount_cents, purchase.currency) })}</p>
          <p>{purchase.recipient_email || session?.email ? t("Its code was emailed to {email}.", { email: purchase.recipient_email || session?.email || "" }) : t("Its code was emailed to you.")}</p>
        </div>
      ) : purchase ? (
        <GiftCardPayment purchase={purchase} onPurchase={setPurchase} />
      ) : !session ? (
        <button type="button" class="button" onClick={() => void signIn()}>{t("Sign in to buy a gift card")}</button>
      ) : (
        <form class="gift-form" onSubmit={buy}>
          <fieldset>
            <legend>{t("Amount")}</legend>
            {AMOUNTS.map((cents) => (
              <label key={cents} class="choice">
                <input type="radio" name="amount" checked={amount === cents} onChange={() => setAmount(cents)} />
                {" "}{money(cents, "EUR")}
              </label>
            ))}
          </fieldset>
          <label for="gift-recipient">{t("Send the code to (leave empty to receive it yourself)")}</label>
          <input id="gift-recipient" type="email" value={recipient} autoComplete="email"
                 onInput={(e) => setRecipient(e.currentTarget.value)} />
          <label for="gift-message">{t("Message (optional)")}</label>
          <textarea id="gift-message" maxLength={1000} value={message}
                    onInput={(e) => setMessage(e.currentTarget.value)} />
          <button type="submit" class="button" disabled={busy} aria-busy={busy}>
            {busy ? t("Preparing…") : t("Buy · {amount}", { amount: money(amount, "EUR") })}
          </button>
        </form>
      )}
      {error !== null && <div class="inline-error" role="alert"><p>{errorMessage(error)}</p></div>}
    </article>
  );
}

function GiftCardPayment({ purchase, onPurchase }:
    { purchase: GiftCardPurchase; onPurchase: (p: GiftCardPurchase) => void }) {
  const payment = purchase.payment;
  const mountRef = useRef<HTMLDivElement>(null);
  const stripe = useRef<{ client: StripeClient; card: CardElement } | null>(null);
  const [ready, setReady] = useState(false);
  const [paying, setPaying] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!payment) return;
    let live = true;
    let card: CardElement | null = null;
    loadStripe(payment.js_url).then((Stripe) => {
      if (!live || !mountRef.current) return;
      const client = Stripe(payment.publishable_key);
      card = client.elements().create("card");
      card.mount(mountRef.current);
      stripe.current = { client, card };
      setReady(true);
    }).catch(() => { if (live) setError(t("The payment form could not be loaded. Reload the page to try again.")); });
    return () => { live = false; card?.destroy(); };
  }, [payment?.js_url, payment?.publishable_key]);

  const pay = async (event: Event) => {
    event.preventDefault();
    if (!stripe.current || !payment?.setup_client_secret || paying) return;
    setPaying(true);
    setError(null);
    try {
      const { client, card } = stripe.current;
      const setup = await client.confirmCardSetup(payment.setup_client_secret, { payment_method: { card } });
      const method = setup.error ? null : paymentMethodId(setup);
      if (!method) { setError(setup.error?.message || t("The card could not be used.")); return; }
      let next = await api.payGiftCard(purchase.id, method);
      if (next.status !== "paid" && next.payment?.status === "requires_action" && next.payment.client_secret) {
        await client.confirmCardPayment(next.payment.client_secret);
        next = await api.giftCardPurchase(purchase.id);
      }
      onPurchase(next);
      if (next.status !== "paid") setError(next.payment?.last_error || t("The payment did not go through yet."));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPaying(false);
    }
  };

  const amount = money(purchase.amount_cents, purchase.currency);
  return (
    <section class="checkout" aria-labelledby="gift-pay-title">
      <h2 id="gift-pay-title">{t("Pay for your gift card")}</h2>
      <form class="pay" onSubmit={pay}>
        <p id="card-label" class="label">{t("Card details")}</p>
        <div id="card-element" class="card-field" ref={mountRef} role="group" aria-labelledby="card-label" />
        <button type="submit" class="button" disabled={!ready} aria-busy={paying || undefined}>
          {paying ? t("Paying…") : t("Pay {amount}", { amount })}
        </button>
      </form>
      {error && <div class="inline-error" role="alert"><p>{error}</p></div>}
    </section>
  );
}
