/**
 * The payment step of a pending order (issue 12): what is being bought, the hold's countdown,
 * Stripe's card element, and "Pay". The flow, which real Stripe and localstripe both accept:
 *
 *   0. a hold comes without its payment (the reservation makes no Stripe call): the step asks
 *      the server to make it (`api.preparePayment`, idempotent) and shows "Preparing payment…",
 *      asking again with backoff while Stripe is busy — the seats are held all along (issue 20);
 *   1. stripe.js from `payment.js_url`; the card element is mounted in the form;
 *   2. `confirmCardSetup(setup_client_secret, {payment_method: {card}})` → a payment method
 *      (a refusal here is shown and the customer tries again on the same hold);
 *   3. `api.pay(order, pm)`: the server charges it; a 3-D Secure challenge comes back as
 *      `requires_action` and is answered with `confirmCardPayment(client_secret)`;
 *   4. the order is polled until the server confirms it: success is never assumed here.
 */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Order } from "../api";
import { signIn } from "../auth";
import { dateTime, money, msUntil } from "../format";
import { t } from "../i18n";
import { loadStripe, paymentMethodId, type CardElement, type StripeClient } from "../stripe";
import { CancelOrder } from "./CancelOrder";
import { CodesSummary } from "./CodesSummary";
import { errorMessage, useNow } from "./common";
import { Countdown } from "./Countdown";
import { LineRows } from "./OrderLines";
import { paymentFailed, paymentInFlight } from "./orderState";

/** How the confirmation is awaited: about once a second, backing off to 3 s. */
export const checkoutTiming = {
  pollMs: 1000,
  pollMaxMs: 3000,
  fastPolls: 5,
  /** After this long, say that it takes longer than usual (and keep waiting). */
  slowAfterMs: 20_000,
  /** After this long, stop polling and offer to check again. */
  giveUpAfterMs: 5 * 60_000,
};

/** How the payment is asked for again while Stripe is busy (jittered, doubling, capped). */
export const prepareTiming = {
  retryMs: 1000,
  retryMaxMs: 8000,
  /** After this many refusals, say that it takes longer than usual (and keep asking). */
  slowAfter: 3,
};

const retry = () => t("Try again, or use another card.");
const failed = () => t("The payment did not go through.");
const unavailable = () => t("Card payments are unavailable at the moment; your card was not charged and your seats are still held. Please try again in a moment.");

type Phase = "idle" | "paying" | "authenticating" | "waiting" | "stalled";
type FormState = "loading" | "ready" | "failed";

export function PaymentStep({ order, onOrder }: { order: Order; onOrder: (order: Order) => void }) {
  const payment = order.payment;
  const latest = useRef(order);
  latest.current = order;
  // The parent's callback may change on every render; the effects below must not restart.
  const report = useRef(onOrder);
  report.current = onOrder;
  const update = useCallback((next: Order) => report.current(next), []);
  const [phase, setPhase] = useState<Phase>(() => (paymentInFlight(order) ? "waiting" : "idle"));
  const [form, setForm] = useState<FormState>("loading");
  const [formAttempt, setFormAttempt] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [cardError, setCardError] = useState<string | null>(null);
  const [slow, setSlow] = useState(false);
  const mountRef = useRef<HTMLDivElement>(null);
  const stripe = useRef<{ client: StripeClient; card: CardElement } | null>(null);
  const busy = useRef(false);
  const paying = phase === "paying" || phase === "authenticating";
  const waiting = phase === "waiting" || phase === "stalled";
  const now = useNow(!waiting);
  const lapsed = !paying && !waiting && msUntil(order.expires_at, now) === 0;
  const p = order.performance;
  const amount = payment ? money(payment.amount_cents, payment.currency) : money(order.total_cents, order.currency);
  const preparing = order.status === "pending" && !payment && !lapsed;
  const [preparingSlow, setPreparingSlow] = useState(false);

  // stripe.js and the card element, once per page (and again after "Try again").
  useEffect(() => {
    if (!payment) return;
    let live = true;
    let card: CardElement | null = null;
    setForm("loading");
    loadStripe(payment.js_url).then((Stripe) => {
      if (!live || !mountRef.current) return;
      const client = Stripe(payment.publishable_key);
      card = client.elements().create("card");
      card.mount(mountRef.current);
      card.on("change", (change) => setCardError(change?.error?.message || null));
      stripe.current = { client, card };
      setForm("ready");
    }).catch(() => { if (live) setForm("failed"); });
    return () => {
      live = false;
      stripe.current = null;
      card?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [payment?.js_url, payment?.publishable_key, formAttempt]);

  /** The order as the server sees it now (a fresh SetupIntent secret, or a new status). */
  const refresh = useCallback(async () => {
    try {
      update(await api.order(latest.current.id));
    } catch { /* the next attempt will say what is wrong */ }
  }, [update]);

  // The payment step: the server makes the hold's payment now (once, however often asked).
  useEffect(() => {
    if (!preparing) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let refusals = 0;
    const ask = async () => {
      try {
        const prepared = await api.preparePayment(latest.current.id, controller.signal);
        if (!controller.signal.aborted) update(prepared);
      } catch (e) {
        if (controller.signal.aborted) return;
        const code = e instanceof ApiError ? e.code : "";
        if (["hold_expired", "not_found", "session_expired", "order_not_pending"].includes(code)) {
          setError(e);
          void refresh();
          return;
        }
        // Stripe busy or unreachable, or a network blip: the seats are still held, ask again.
        refusals++;
        if (refusals >= prepareTiming.slowAfter) setPreparingSlow(true);
        const t = prepareTiming;
        const delay = Math.min(t.retryMaxMs, t.retryMs * 2 ** (refusals - 1));
        timer = setTimeout(ask, delay / 2 + Math.random() * (delay / 2));
      }
    };
    void ask();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [preparing, refresh, update]);

  const fail = (reason: unknown) => {
    setError(reason);
    setPhase("idle");
    void refresh();
  };

  const pay = async (event: Event) => {
    event.preventDefault();
    const current = latest.current.payment;
    if (busy.current || !stripe.current || !current || lapsed) return;
    busy.current = true;
    setError(null);
    setPhase("paying");
    try {
      const { client, card } = stripe.current;
      if (!current.setup_client_secret) { fail(`${failed()} ${retry()}`); return; }
      const setup = await client.confirmCardSetup(current.setup_client_secret, { payment_method: { card } });
      const method = setup.error ? null : paymentMethodId(setup);
      if (!method) {
        fail(`${setup.error?.message || failed()} ${retry()}`);
        return;
      }
      const charged = await api.pay(latest.current.id, method);
      update(charged);
      if (charged.status !== "pending") return; // the page shows what became of it
      const next = charged.payment;
      if (next?.status === "requires_action" && next.client_secret) {
        setPhase("authenticating");
        const auth = await client.confirmCardPayment(next.client_secret);
        const status = auth.paymentIntent?.status;
        if (auth.error || status === "requires_payment_method" || status === "canceled") {
          fail(`${auth.error?.message || t("Your bank could not confirm the payment.")} ${retry()}`);
          return;
        }
      } else if (paymentFailed(next)) {
        fail(`${next?.last_error || failed()} ${retry()}`);
        return;
      }
      setSlow(false);
      setPhase("waiting");
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "";
      if (code === "card_declined") fail(`${errorMessage(e)} ${retry()}`);
      else if (code === "hold_expired") { setError(e); setPhase("idle"); void refresh(); }
      // Not the reservation's wording ("nothing was reserved"): here the seats are still held.
      else if (code === "payment_unavailable") fail(unavailable());
      else fail(e); // network, payment_unavailable, session_expired…: the refresh shows where it stands
    } finally {
      busy.current = false;
    }
  };

  // Waiting for the server's confirmation (its webhook or its reconciliation with Stripe).
  useEffect(() => {
    if (phase !== "waiting") return;
    const controller = new AbortController();
    const started = Date.now();
    let polls = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const t = checkoutTiming;
      const delay = polls < t.fastPolls ? t.pollMs
        : Math.min(t.pollMaxMs, t.pollMs * 1.5 ** (polls - t.fastPolls + 1));
      timer = setTimeout(poll, delay);
    };
    const poll = async () => {
      polls++;
      try {
        const fresh = await api.order(latest.current.id, controller.signal);
        if (controller.signal.aborted) return;
        update(fresh);
        if (fresh.status !== "pending") return;
        if (paymentFailed(fresh.payment)) {
          setError(`${fresh.payment?.last_error || failed()} ${retry()}`);
          setPhase("idle");
          return;
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && (e.code === "session_expired" || e.code === "not_found")) {
          setError(e);
          setPhase("stalled");
          return;
        }
        // A network blip: keep waiting.
      }
      const waited = Date.now() - started;
      if (waited >= checkoutTiming.giveUpAfterMs) { setPhase("stalled"); return; }
      if (waited >= checkoutTiming.slowAfterMs) setSlow(true);
      schedule();
    };
    schedule();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [phase, update]);

  // The form disappears while waiting and once the hold lapsed: focus goes to what replaced it.
  const formRef = useRef<HTMLFormElement>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const focusWasInForm = useRef(false);
  focusWasInForm.current = !!formRef.current?.contains(document.activeElement);
  useEffect(() => {
    if ((lapsed || phase === "waiting") && focusWasInForm.current) noticeRef.current?.focus();
  }, [lapsed, phase]);

  const title = lapsed ? t("Your hold expired") : waiting ? t("Confirming your payment") : t("Pay for your tickets");
  const signInAgain = error instanceof ApiError && error.code === "session_expired";
  return (
    <section class="checkout" aria-labelledby="checkout-title" data-phase={lapsed ? "expired" : phase}>
      <h2 id="checkout-title">{title}</h2>
      <dl class="summary">
        <div><dt>{t("Performance")}</dt><dd><time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></dd></div>
        {p.venue && <div><dt>{t("Venue")}</dt><dd>{p.venue.name}, {p.venue.city}</dd></div>}
        <LineRows order={order} />
        <div class="summary-total"><dt>{t("Total")}</dt><dd>{money(order.total_cents, order.currency)}</dd></div>
        <CodesSummary order={order} />
      </dl>

      {lapsed ? (
        <div class="notice notice-expired" role="alert" ref={noticeRef} tabIndex={-1}>
          <p>{t("Your hold expired and the seats were released.")}</p>
          {p.show?.slug && <p><a href={`/shows/${encodeURIComponent(p.show.slug)}`}>{t("Back to the show")}</a></p>}
        </div>
      ) : waiting ? (
        <div class="notice" role="status" ref={noticeRef} tabIndex={-1}>
          {phase === "waiting" ? (
            <p><span class="spinner" aria-hidden="true" />{t("Payment sent. Waiting for confirmation…")}</p>
          ) : (
            <p>{t("We have not heard back about your payment yet. It stays on this order; check again in a moment.")}</p>
          )}
          {slow && phase === "waiting" && <p>{t("This is taking longer than usual. You can leave this page: the order will appear under My tickets once confirmed.")}</p>}
          {phase === "stalled" && !signInAgain && (
            <button type="button" class="button button-secondary" onClick={() => { setError(null); setPhase("waiting"); }}>
              {t("Check again")}
            </button>
          )}
        </div>
      ) : (
        <Countdown expiresAt={order.expires_at} now={now} announce />
      )}
      {preparing && (
        <div class="notice notice-preparing" role="status">
          <p><span class="spinner" aria-hidden="true" />{t("Preparing payment…")}</p>
          {preparingSlow && <p>{t("Many people are paying right now. Your seats are held for you; this takes a moment longer than usual.")}</p>}
        </div>
      )}

      <form class="pay" ref={formRef} onSubmit={pay} hidden={lapsed || waiting || preparing} aria-describedby="card-help">
        <p id="card-label" class="label">{t("Card details")}</p>
        <div id="card-element" class="card-field" ref={mountRef} role="group" aria-labelledby="card-label"
             aria-describedby={cardError ? "card-error" : undefined} />
        {cardError && <p id="card-error" class="field-error" role="alert">{cardError}</p>}
        {form === "loading" && <p class="meta" role="status">{t("Loading the payment form…")}</p>}
        <p id="card-help" class="meta">{t("Card details go straight to our payment provider, Stripe; Marquee never sees them.")}</p>
        <button type="submit" class="button" disabled={form !== "ready"} aria-disabled={paying || undefined}
                aria-busy={paying || undefined}>
          {phase === "paying" ? t("Paying…") : phase === "authenticating" ? t("Confirming with your bank…") : t("Pay {amount}", { amount })}
        </button>
      </form>
      {form === "failed" && !lapsed && !waiting && (
        <div class="inline-error" role="alert">
          <p>{t("The payment form could not be loaded. Check your connection and try again.")}</p>
          <button type="button" class="button button-secondary" onClick={() => setFormAttempt((n) => n + 1)}>{t("Try again")}</button>
        </div>
      )}
      {error === null && phase === "idle" && !lapsed && payment?.status === "requires_payment_method"
        && payment.last_error && (
        <p class="notice">{t("Your last payment attempt did not go through: {error}", { error: payment.last_error })}</p>
      )}
      {error !== null && !lapsed && (
        <div class="inline-error payment-error" role="alert">
          <p>{typeof error === "string" ? error : errorMessage(error)}</p>
          {signInAgain && <button type="button" class="button button-secondary" onClick={() => void signIn()}>{t("Sign in again")}</button>}
        </div>
      )}
      {!lapsed && !waiting && !paying && new Date(p.starts_at).getTime() > now && (
        <CancelOrder order={order} onCancelled={update} />
      )}
    </section>
  );
}
