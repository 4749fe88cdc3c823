/**
 * stripe.js, loaded on demand from the URL the server names (`payment.js_url`: Stripe's CDN
 * in production, localstripe's stand-in in tests): one script tag per URL, never bundled,
 * never hard-coded. Only the handful of calls the card flow needs are typed here.
 *
 * The card flow (issue 12): the card element collects the card inside Stripe's frame;
 * `confirmCardSetup` turns it into a payment method at Stripe; the server charges that
 * payment method; a 3-D Secure challenge is answered with `confirmCardPayment`. Raw card
 * numbers never reach our server.
 */

import { t } from "./i18n";

export interface StripeError {
  message?: string;
  type?: string;
  code?: string;
  decline_code?: string;
}

/** What the card element reports on "change" (real stripe.js; localstripe sends nothing). */
export interface CardChange {
  complete?: boolean;
  empty?: boolean;
  error?: StripeError | null;
}

export interface CardElement {
  mount(target: HTMLElement | string): void;
  destroy(): void;
  on(event: "change", handler: (change?: CardChange) => void): void;
  focus?(): void;
}

export interface StripeElements {
  create(type: "card", options?: Record<string, unknown>): CardElement;
}

export interface SetupResult {
  setupIntent?: { id?: string; status?: string; payment_method?: string | { id: string } | null };
  error?: StripeError | null;
}

export interface PaymentResult {
  paymentIntent?: { id?: string; status?: string };
  error?: StripeError | null;
}

export interface StripeClient {
  elements(options?: Record<string, unknown>): StripeElements;
  confirmCardSetup(clientSecret: string,
                   data: { payment_method: { card: CardElement } }): Promise<SetupResult>;
  confirmCardPayment(clientSecret: string): Promise<PaymentResult>;
}

export type StripeFactory = (publishableKey: string) => StripeClient;

declare global {
  interface Window { Stripe?: StripeFactory }
}

const loads = new Map<string, Promise<StripeFactory>>();

/** Only an absolute http(s) URL is ever put in a script tag. */
function scriptUrl(jsUrl: string): string {
  let url: URL;
  try {
    url = new URL(jsUrl);
  } catch {
    throw new Error(t("The payment form is not configured."));
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(t("The payment form is not configured."));
  }
  return url.toString();
}

/**
 * Resolves with the global `Stripe` once the script at `jsUrl` ran. A failed load is
 * forgotten (its tag removed), so "try again" really tries again.
 */
export function loadStripe(jsUrl: string): Promise<StripeFactory> {
  let src: string;
  try {
    src = scriptUrl(jsUrl);
  } catch (error) {
    return Promise.reject(error);
  }
  const known = loads.get(src);
  if (known) return known;
  const load = new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.dataset.stripeJs = "";
    const fail = () => {
      loads.delete(src);
      script.remove();
      reject(new Error(t("The payment form could not be loaded.")));
    };
    script.addEventListener("load", () => {
      if (typeof window.Stripe === "function") resolve(window.Stripe);
      else fail();
    });
    script.addEventListener("error", fail);
    document.head.appendChild(script);
  });
  loads.set(src, load);
  return load;
}

/** The payment method id of a confirmed SetupIntent (`pm_…`), whichever shape Stripe sent. */
export function paymentMethodId(result: SetupResult): string | null {
  const pm = result.setupIntent?.payment_method;
  if (!pm) return null;
  return typeof pm === "string" ? pm : pm.id || null;
}

/** Forget loaded scripts (tests only). */
export function _resetStripeForTests(): void {
  loads.clear();
  delete window.Stripe;
  document.querySelectorAll("script[data-stripe-js]").forEach((s) => s.remove());
}
