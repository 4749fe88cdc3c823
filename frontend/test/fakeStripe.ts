/**
 * A fake stripe.js for the view tests: the script tag src/stripe.ts adds is answered by
 * defining `window.Stripe` and firing "load" (nothing is fetched), and every call the card
 * flow makes is a recorded `vi.fn` whose answers each test scripts.
 */
import { vi } from "vitest";
import type { CardChange, PaymentResult, SetupResult } from "../src/stripe";

export interface FakeStripe {
  /** URLs of the script tags added (one per page load at most). */
  scripts: string[];
  factory: ReturnType<typeof vi.fn>;
  confirmCardSetup: ReturnType<typeof vi.fn<(secret: string, data: unknown) => Promise<SetupResult>>>;
  confirmCardPayment: ReturnType<typeof vi.fn<(secret: string) => Promise<PaymentResult>>>;
  card: { mount: ReturnType<typeof vi.fn>; destroy: ReturnType<typeof vi.fn>; on: ReturnType<typeof vi.fn> };
  /** Sends a "change" event from the card element, as real stripe.js does. */
  change(event: CardChange): void;
  /** The script fails to load instead (CSP, offline). */
  failLoads: boolean;
}

export function installFakeStripe(): FakeStripe {
  const listeners: ((e?: CardChange) => void)[] = [];
  const card = {
    mount: vi.fn((target: HTMLElement) => {
      const input = document.createElement("input");
      input.setAttribute("aria-label", "Card number");
      input.className = "fake-card";
      target.appendChild(input);
    }),
    destroy: vi.fn(),
    on: vi.fn((_event: string, handler: (e?: CardChange) => void) => { listeners.push(handler); }),
  };
  const fake: FakeStripe = {
    scripts: [],
    factory: vi.fn(),
    confirmCardSetup: vi.fn(async () => ({ setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_ok" } })),
    confirmCardPayment: vi.fn(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
    card,
    change: (event) => listeners.forEach((handler) => handler(event)),
    failLoads: false,
  };
  fake.factory.mockImplementation(() => ({
    elements: () => ({ create: () => card }),
    confirmCardSetup: fake.confirmCardSetup,
    confirmCardPayment: fake.confirmCardPayment,
  }));
  const append = document.head.appendChild.bind(document.head);
  vi.spyOn(document.head, "appendChild").mockImplementation(<T extends Node>(node: T): T => {
    if (node instanceof HTMLScriptElement && node.dataset.stripeJs !== undefined) {
      fake.scripts.push(node.src);
      queueMicrotask(() => {
        if (fake.failLoads) { node.dispatchEvent(new Event("error")); return; }
        (window as unknown as { Stripe: unknown }).Stripe = fake.factory;
        node.dispatchEvent(new Event("load"));
      });
      return node;
    }
    return append(node);
  });
  return fake;
}
