/** src/stripe.ts: one script tag per URL, a failed load forgotten, only http(s) URLs. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { _resetStripeForTests, loadStripe, paymentMethodId } from "../src/stripe";
import { installFakeStripe, type FakeStripe } from "./fakeStripe";

let stripe: FakeStripe;
beforeEach(() => { _resetStripeForTests(); stripe = installFakeStripe(); });
afterEach(() => vi.restoreAllMocks());

describe("stripe.ts", () => {
  it("adds one script tag per URL and resolves with the global Stripe", async () => {
    const [a, b] = await Promise.all([loadStripe("https://js.stripe.com/v3/"), loadStripe("https://js.stripe.com/v3/")]);
    expect(a).toBe(stripe.factory);
    expect(b).toBe(a);
    expect(stripe.scripts).toEqual(["https://js.stripe.com/v3/"]);
    await loadStripe("http://127.0.0.1:8420/js.stripe.com/v3/");
    expect(stripe.scripts).toHaveLength(2);
  });

  it("forgets a failed load, so the next call tries again", async () => {
    stripe.failLoads = true;
    await expect(loadStripe("https://js.stripe.com/v3/")).rejects.toThrow("could not be loaded");
    stripe.failLoads = false;
    await expect(loadStripe("https://js.stripe.com/v3/")).resolves.toBe(stripe.factory);
    expect(stripe.scripts).toHaveLength(2);
  });

  it("puts only absolute http(s) URLs in a script tag", async () => {
    for (const url of ["javascript:alert(1)", "data:text/javascript,1", "/relative/v3/", ""]) {
      await expect(loadStripe(url)).rejects.toThrow("not configured");
    }
    expect(stripe.scripts).toHaveLength(0);
  });

  it("reads the payment method id in either shape", () => {
    expect(paymentMethodId({ setupIntent: { payment_method: "pm_1" } })).toBe("pm_1");
    expect(paymentMethodId({ setupIntent: { payment_method: { id: "pm_2" } } })).toBe("pm_2");
    expect(paymentMethodId({ error: { message: "no" } })).toBeNull();
  });
});
