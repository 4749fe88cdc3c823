/**
 * The payment step (issue 12) against a fake server (fetch) and a fake stripe.js: countdown,
 * declined cards and retries on the same hold, 3-D Secure, waiting for the server's
 * confirmation, expired holds, refunds, and resuming a pending order from "My tickets".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import type { Order, Payment } from "../src/api";
import { App } from "../src/app";
import { interceptLinks } from "../src/router";
import { _resetStripeForTests } from "../src/stripe";
import { checkoutTiming, prepareTiming } from "../src/views/Payment";
import { waitingRoomTiming } from "../src/views/ShowDetail";
import { installFakeStripe, type FakeStripe } from "./fakeStripe";
import { button, flush, mockFetch, mount, ok, problem, signedIn, text, waitFor, type Call, salesFields } from "./helpers";

const ID = "5f0c7a9e-1111-4222-8333-444455556666";
const JS_URL = "https://stripe.test/v3/";
const show = { slug: "the-tempest", title: "The Tempest" };

function payment(fields: Partial<Payment> = {}): Payment {
  return {
    provider: "stripe", status: "requires_payment_method", amount_cents: 7000, currency: "EUR",
    refunded_cents: 0, publishable_key: "pk_test_abc", js_url: JS_URL,
    client_secret: "pi_1_secret_x", setup_client_secret: "seti_1_secret_y", last_error: null,
    refund_reason: null, ...fields,
  };
}

function order(fields: Partial<Order> = {}): Order {
  const status = fields.status ?? "pending";
  return {
    id: ID, status, quantity: 2, total_cents: 7000, currency: "EUR", created_at: new Date().toISOString(),
    expires_at: status === "pending" ? new Date(Date.now() + 9 * 60_000 + 30_000).toISOString() : null,
    performance: { id: 1, starts_at: "2030-05-01T19:30:00Z", venue: { name: "Grand Théâtre", city: "Lyon" }, show },
    tickets: status === "confirmed" ? [{ code: "AAAA2222", checked_in_at: null }, { code: "BBBB3333", checked_in_at: null }] : [],
    payment: payment(),
    ...fields,
  } as Order;
}

const confirmed = () => order({ status: "confirmed", payment: payment({ status: "succeeded", client_secret: null, setup_client_secret: null }) });

/**
 * A small server: GET answers `state.current` (or the next of `state.polls`), /pay/ answers
 * `state.pay()`; every call is recorded.
 */
function server(initial: Order) {
  const state = {
    current: initial,
    polls: [] as Order[],
    pay: (): Response => ok(state.current),
    prepare: (): Response | Promise<Response> => {
      state.current = { ...state.current, payment: payment() };
      return ok(state.current);
    },
    calls: [] as Call[],
  };
  state.calls = mockFetch((url, init) => {
    if (url.pathname.endsWith("qr.svg")) return new Response("<svg/>", { headers: { "Content-Type": "image/svg+xml" } });
    if (url.pathname === `/api/v1/tickets/${ID}/pay/` && init.method === "POST") return state.pay();
    if (url.pathname === `/api/v1/tickets/${ID}/payment/` && init.method === "POST") return state.prepare();
    if (url.pathname === `/api/v1/tickets/${ID}/cancel/` && init.method === "POST") {
      state.current = order({ status: "cancelled", payment: payment({ status: "canceled", client_secret: null, setup_client_secret: null }) });
      return ok(state.current);
    }
    if (url.pathname === `/api/v1/tickets/${ID}/`) {
      if (state.polls.length) state.current = state.polls.shift()!;
      return ok(state.current);
    }
    if (url.pathname === "/api/v1/tickets/") return ok({ count: 1, next: null, previous: null, results: [state.current] });
    if (url.pathname === "/api/v1/waitlist/") return ok([]);
    return problem(404, "not_found");
  });
  return state;
}

const gets = (calls: Call[]) => calls.filter((c) => new URL(c.url).pathname === `/api/v1/tickets/${ID}/` && (c.init.method ?? "GET") === "GET");
const pays = (calls: Call[]) => calls.filter((c) => c.url.endsWith("/pay/"));

async function visit(path: string) {
  history.replaceState(null, "", path);
  return mount(<App />);
}

async function clickPay(root: HTMLElement) {
  const form = await waitFor(() => {
    const f = root.querySelector("form.pay") as HTMLFormElement | null;
    return f && !button(f, /^Pay /).disabled && f;
  });
  await act(() => { form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
}

let stripe: FakeStripe;
let stopLinks: () => void;
const timing = { ...checkoutTiming };
const preparing = { ...prepareTiming };
beforeEach(() => {
  sessionStorage.clear();
  signedIn();
  _resetStripeForTests();
  stripe = installFakeStripe();
  stopLinks = interceptLinks(document);
  Object.assign(checkoutTiming, { pollMs: 5, pollMaxMs: 15, fastPolls: 3 });
  Object.assign(prepareTiming, { retryMs: 5, retryMaxMs: 20, slowAfter: 2 });
  waitingRoomTiming.scale = 0.005;
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:qr"), revokeObjectURL: vi.fn() }));
});
afterEach(() => {
  stopLinks();
  Object.assign(checkoutTiming, timing);
  Object.assign(prepareTiming, preparing);
  waitingRoomTiming.scale = 1;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("payment step", () => {
  it("shows what is bought, the total, a ticking countdown and the card element", async () => {
    server(order({ expires_at: new Date(Date.now() + 5 * 60_000 + 700).toISOString() }));
    const root = await visit(`/tickets/${ID}?reserved=1`);
    await waitFor(() => root.querySelector(".fake-card"));
    expect(root.querySelector("h2")!.textContent).toBe("Pay for your tickets");
    expect(text(root.querySelector(".summary")!)).toMatch(/Grand Théâtre, Lyon/);
    expect(text(root.querySelector(".summary")!)).toMatch(/2 × €35\.00/);
    expect(text(root.querySelector(".summary-total")!)).toMatch(/€70\.00/);
    expect(button(root, /^Pay /).textContent).toBe("Pay €70.00");
    // stripe.js from the URL the server named, with its publishable key; the card inside the form.
    expect(stripe.scripts).toEqual([JS_URL]);
    expect(stripe.factory).toHaveBeenCalledWith("pk_test_abc");
    expect(root.querySelector("#card-element .fake-card")).toBeTruthy();
    expect(root.querySelector("#card-element")!.getAttribute("aria-labelledby")).toBe("card-label");
    // The countdown: visible, a timer (not live), and a single announcement at 5 minutes.
    const timer = root.querySelector("[role=timer]")!;
    expect(timer.textContent).toBe("5:01");
    const live = root.querySelector(".countdown [aria-live=polite]")!;
    expect(live.textContent).toBe("");
    await waitFor(() => timer.textContent === "5:00", 3000);
    await waitFor(() => live.textContent === "5 minutes left to pay before your seats are released.");
    expect(root.querySelectorAll("[aria-live]:not([aria-live=off])").length).toBeLessThanOrEqual(2);
  });

  it("a card refused by stripe.js: its message, and a retry on the same hold confirms", async () => {
    const srv = server(order());
    stripe.confirmCardSetup
      .mockResolvedValueOnce({ error: { message: "Your card was declined.", code: "card_declined" } })
      .mockResolvedValueOnce({ setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_good" } });
    srv.pay = () => { srv.polls = [order({ payment: payment({ status: "succeeded" }) }), confirmed()]; return ok(order({ payment: payment({ status: "processing" }) })); };
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelector(".payment-error"));
    expect(text(root.querySelector(".payment-error")!)).toBe("Your card was declined. Try again, or use another card.");
    expect(root.querySelector(".payment-error")!.getAttribute("role")).toBe("alert");
    expect(pays(srv.calls)).toHaveLength(0);
    await clickPay(root);
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(stripe.confirmCardSetup).toHaveBeenCalledTimes(2);
    expect(stripe.confirmCardSetup.mock.calls.map((c) => c[0])).toEqual(["seti_1_secret_y", "seti_1_secret_y"]);
    expect(JSON.parse(String(pays(srv.calls)[0].init.body))).toEqual({ payment_method: "pm_good" });
    expect(text(root)).toContain("Payment received: 2 tickets confirmed");
    expect(root.querySelector(".payment-error")).toBeNull();
  });

  it("a card declined by the bank (402): the bank's words, the hold kept, another card works", async () => {
    const srv = server(order());
    let attempts = 0;
    srv.pay = () => {
      attempts++;
      if (attempts === 1) return problem(402, "card_declined", { detail: "Your card has insufficient funds." });
      srv.polls = [confirmed()];
      return ok(order({ payment: payment({ status: "succeeded" }) }));
    };
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => text(root).includes("insufficient funds"));
    expect(text(root.querySelector(".payment-error")!)).toBe("Your card has insufficient funds. Try again, or use another card.");
    expect(root.querySelector("[role=timer]")).toBeTruthy(); // still held
    await clickPay(root);
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(attempts).toBe(2);
  });

  it("3-D Secure: requires_action → confirmCardPayment with the PaymentIntent's secret, then waits", async () => {
    const srv = server(order());
    srv.pay = () => ok(order({ payment: payment({ status: "requires_action", client_secret: "pi_3ds_secret_z" }) }));
    srv.polls = [];
    stripe.confirmCardPayment.mockImplementationOnce(async () => {
      srv.polls = [order({ payment: payment({ status: "requires_action" }) }), confirmed()];
      return { paymentIntent: { id: "pi_3ds", status: "succeeded" } };
    });
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(stripe.confirmCardPayment).toHaveBeenCalledWith("pi_3ds_secret_z");
  });

  it("3-D Secure failed: the message, and the customer may try again", async () => {
    const srv = server(order());
    srv.pay = () => ok(order({ payment: payment({ status: "requires_action", client_secret: "pi_3ds_secret_z" }) }));
    stripe.confirmCardPayment.mockResolvedValueOnce({ error: { message: "We are unable to authenticate your payment method." } });
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelector(".payment-error"));
    expect(text(root.querySelector(".payment-error")!)).toBe(
      "We are unable to authenticate your payment method. Try again, or use another card.");
    expect(root.querySelector("section.checkout")!.getAttribute("data-phase")).toBe("idle");
    expect(button(root, "Pay €70.00").disabled).toBe(false);
  });

  it("polls the order until the server confirms it, and never shows tickets before", async () => {
    const srv = server(order());
    const processing = order({ payment: payment({ status: "processing" }) });
    srv.pay = () => { srv.polls = [processing, processing, processing, processing, processing, confirmed()]; return ok(processing); };
    const root = await visit(`/tickets/${ID}`);
    const before = gets(srv.calls).length;
    await waitFor(() => root.querySelector(".fake-card"));
    button(root, "Pay €70.00").focus();
    await clickPay(root);
    await waitFor(() => text(root).includes("Waiting for confirmation"));
    // The form is hidden: focus moves to the status that replaced it.
    expect(document.activeElement?.getAttribute("role")).toBe("status");
    expect(root.querySelector("img.qr, .ticket")).toBeNull();
    expect(root.querySelector("form.pay")!.hasAttribute("hidden")).toBe(true);
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(gets(srv.calls).length - before).toBeGreaterThanOrEqual(6);
    const notice = root.querySelector(".notice-success")!;
    expect(notice.textContent).toContain("Payment received: 2 tickets confirmed");
    expect(document.activeElement).toBe(notice);
    // Once confirmed, polling stops.
    const after = srv.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    await flush();
    expect(gets(srv.calls.slice(after))).toHaveLength(0);
  });

  it("a failure reported while waiting brings the form back with the reason", async () => {
    const srv = server(order());
    srv.pay = () => {
      srv.polls = [order({ payment: payment({ status: "requires_payment_method", last_error: "Your card was declined." }) })];
      return ok(order({ payment: payment({ status: "processing" }) }));
    };
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelector(".payment-error"));
    expect(text(root.querySelector(".payment-error")!)).toContain("Your card was declined.");
    expect(root.querySelector("form.pay")!.hasAttribute("hidden")).toBe(false);
  });

  it("a reload while the payment is processing resumes waiting (no card form)", async () => {
    const srv = server(order({ payment: payment({ status: "succeeded" }) }));
    srv.polls = [order({ payment: payment({ status: "succeeded" }) }), order({ payment: payment({ status: "succeeded" }) }), confirmed()];
    checkoutTiming.pollMs = 150; // long enough to see the waiting state before it ends
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => text(root).includes("Waiting for confirmation"));
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(pays(srv.calls)).toHaveLength(0);
  });

  it("hold_expired from /pay/ shows the expired order", async () => {
    const srv = server(order());
    srv.pay = () => {
      srv.current = order({ status: "expired", payment: payment({ status: "canceled", client_secret: null, setup_client_secret: null }) });
      return problem(409, "hold_expired");
    };
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelector("[data-status=expired]"));
    expect(text(root)).toContain("Your hold expired and the seats were released.");
    expect(root.querySelector("form.pay")).toBeNull();
  });

  it("payment_unavailable from /pay/: the seats are still held, try again", async () => {
    const srv = server(order());
    srv.pay = () => problem(503, "payment_unavailable", { detail: "Card payments are unavailable right now; nothing was reserved." });
    const root = await visit(`/tickets/${ID}`);
    await clickPay(root);
    await waitFor(() => root.querySelector(".payment-error"));
    expect(text(root.querySelector(".payment-error")!)).toContain("your seats are still held");
    expect(text(root)).not.toContain("nothing was reserved");
    expect(button(root, "Pay €70.00").disabled).toBe(false);
  });

  it("says when the payment form cannot be loaded, and tries again", async () => {
    server(order());
    stripe.failLoads = true;
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => text(root).includes("payment form could not be loaded"));
    expect(button(root, "Pay €70.00").disabled).toBe(true);
    stripe.failLoads = false;
    await act(() => button(root, "Try again").click());
    await waitFor(() => root.querySelector(".fake-card"));
    expect(stripe.scripts).toEqual([JS_URL, JS_URL]);
  });

  it("shows the card element's own validation message", async () => {
    server(order());
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector(".fake-card"));
    await act(() => stripe.change({ error: { message: "Your card number is incomplete." } }));
    expect(root.querySelector("#card-error")!.textContent).toBe("Your card number is incomplete.");
    expect(root.querySelector("#card-element")!.getAttribute("aria-describedby")).toBe("card-error");
  });

  it("a pending order can be cancelled: the seats are released", async () => {
    server(order());
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector(".fake-card"));
    await act(() => button(root, "Cancel order").click());
    expect(text(root)).toContain("your card has not been charged");
    await act(() => button(root, "Yes, cancel").click());
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(document.activeElement?.textContent).toContain("This order is cancelled");
    expect(stripe.card.destroy).toHaveBeenCalled();
  });
});

describe("expired and refunded orders", () => {
  it("an expired order says so, links back to the show, and loads no stripe.js", async () => {
    server(order({ status: "expired", expires_at: null, payment: payment({ status: "canceled", client_secret: null, setup_client_secret: null }) }));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector("[data-status=expired]"));
    expect(text(root)).toContain("Your hold expired and the seats were released.");
    expect(root.querySelector("a[href='/shows/the-tempest']")!.textContent).toBe("Back to the show");
    expect(root.querySelector(".badge")!.textContent).toBe("Expired");
    expect(root.querySelector("form.pay, button.button-danger")).toBeNull();
    expect(stripe.scripts).toHaveLength(0);
  });

  it("a pending order whose hold ran out on this page shows as expired, without Pay", async () => {
    server(order({ expires_at: new Date(Date.now() + 500).toISOString() }));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector(".fake-card"));
    await waitFor(() => text(root).includes("Your hold expired and the seats were released."), 4000);
    expect(root.querySelector("form.pay")!.hasAttribute("hidden")).toBe(true);
    expect(root.querySelector("a[href='/shows/the-tempest']")).toBeTruthy();
  });

  it("a cancelled paid order shows its refund", async () => {
    server(order({ status: "cancelled", expires_at: null,
                   payment: payment({ status: "refunded", refunded_cents: 7000, refund_reason: "requested_by_customer",
                                      client_secret: null, setup_client_secret: null }) }));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector("[data-status=cancelled]"));
    expect(text(root)).toContain("This order is cancelled; its seats were released. €70.00 refunded to your card (cancelled at your request).");
  });

  it("cancelling a paid order says how much is refunded, and the page forgets 'Reserved'", async () => {
    server(confirmed());
    const root = await visit(`/tickets/${ID}?reserved=1`);
    await waitFor(() => root.querySelectorAll("img.qr").length === 2);
    expect(text(root)).toContain("Reserved: 2 tickets");
    await act(() => button(root, "Cancel order").click());
    await waitFor(() => text(root).includes("€70.00 is refunded to your card"));
    await act(() => button(root, "Yes, cancel").click());
    await waitFor(() => text(root).includes("This order is cancelled"));
    expect(text(root)).not.toContain("Reserved: 2 tickets");
  });
});

describe("my tickets", () => {
  it("a pending order shows its countdown and resumes the payment", async () => {
    server(order());
    const root = await visit("/tickets");
    const link = await waitFor(() => root.querySelector(`a.button[href='/tickets/${ID}']`) as HTMLAnchorElement | null);
    expect(link.textContent).toBe("Complete payment for The Tempest");
    expect(root.querySelector(".badge")!.textContent).toBe("Awaiting payment");
    expect(root.querySelector("[role=timer]")!.textContent).toMatch(/^9:[23]\d$/);
    expect(stripe.scripts).toHaveLength(0); // stripe.js only on the payment step
    await act(() => link.click());
    await waitFor(() => root.querySelector(".fake-card"));
    expect(location.pathname).toBe(`/tickets/${ID}`);
    expect(button(root, "Pay €70.00")).toBeTruthy();
  });

  it("a lapsed hold in the list reads as expired", async () => {
    server(order({ expires_at: new Date(Date.now() - 1000).toISOString() }));
    const root = await visit("/tickets");
    await waitFor(() => root.querySelector("[data-status=expired]"));
    expect(text(root)).toContain("Your hold expired and the seats were released.");
    expect(root.querySelector("a.button[href^='/tickets/']")).toBeNull();
  });
});

describe("reserving", () => {
  const perf = { id: 1, starts_at: "2030-05-01T19:30:00Z", venue: { name: "Grand Théâtre", city: "Lyon" },
                 capacity: 100, seats_left: 50, price_cents: 3500, currency: "EUR", status: "on_sale",
                 ...salesFields(1, "on_sale", 50) };
  const detail = { slug: "the-tempest", title: "The Tempest", summary: "", description: "", poster_url: null,
                   duration_minutes: 90, performances: [perf] };

  it("a paid performance goes on to the payment step", async () => {
    mockFetch((url, init) => {
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") return ok(order(), 201);
      if (url.pathname === `/api/v1/tickets/${ID}/`) return ok(order());
      return ok(detail);
    });
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    await act(() => { root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    await waitFor(() => root.querySelector(".fake-card"));
    expect(location.pathname).toBe(`/tickets/${ID}`);
    expect(text(root)).toContain("Pay for your tickets");
  });

  it("an announced on-sale: the waiting room shows the place in line, then reserves at the turn", async () => {
    const reserves: (string | null)[] = [];
    const standings = [
      // Asked again only after 1 s (200 s × the test's scale): long enough to read the first
      // place on a loaded machine, where 10 ms was not.
      { performance: 1, number: 7, position: 3, estimate_seconds: 150, admitted: false, admission: null,
        admission_expires_at: null, retry_after_seconds: 200 },
      { performance: 1, number: 7, position: 1, estimate_seconds: 20, admitted: false, admission: null,
        admission_expires_at: null, retry_after_seconds: 2 },
      { performance: 1, number: 7, position: 0, estimate_seconds: 0, admitted: true, admission: "adm-7",
        admission_expires_at: "2030-01-01T00:00:00Z", retry_after_seconds: 0 },
    ];
    const roomCalls: string[] = [];
    mockFetch((url, init) => {
      if (url.pathname === "/api/v1/tickets/" && init.method === "POST") {
        const admission = (init.headers as Record<string, string>).Admission ?? null;
        reserves.push(admission);
        return admission === "adm-7" ? ok(order(), 201) : problem(403, "admission_required");
      }
      if (url.pathname === "/api/v1/performances/1/waiting-room/") {
        roomCalls.push(init.method ?? "GET");
        return ok(standings.shift());
      }
      if (url.pathname === `/api/v1/tickets/${ID}/`) return ok(order());
      return ok(detail);
    });
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    await act(() => { root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); });
    const room = await waitFor(() => root.querySelector<HTMLElement>(".waiting-room"));
    expect(text(room)).toContain("number 3 in line");
    expect(text(room)).toContain("about 3 minutes");
    expect(root.querySelector("[role=alert]")).toBeNull(); // a place in line, not an error
    await waitFor(() => root.querySelector(".waiting-room")?.textContent?.includes("number 1 in line"));
    await waitFor(() => root.querySelector(".fake-card"));
    expect(location.pathname).toBe(`/tickets/${ID}`);
    expect(reserves).toEqual([null, "adm-7"]);
    expect(roomCalls).toEqual(["POST", "GET", "GET"]);
  });
});

describe("preparing the payment (the hold makes no Stripe call)", () => {
  it("a hold without its payment shows Preparing payment…, then the card form", async () => {
    const srv = server(order({ payment: null }));
    const prepared: Order[] = [];
    let answer: () => void = () => {};
    const made = new Promise<void>((resolve) => { answer = resolve; });
    srv.prepare = async () => {
      await made; // Stripe takes its time
      srv.current = { ...srv.current, payment: payment() };
      prepared.push(srv.current);
      return ok(srv.current);
    };
    const root = await visit(`/tickets/${ID}?reserved=1`);
    await waitFor(() => text(root).includes("Preparing payment…"));
    expect(root.querySelector<HTMLFormElement>("form.pay")!.hidden).toBe(true);
    expect(text(root)).toContain("Your seats are held for");
    answer();
    await waitFor(() => root.querySelector(".fake-card"));
    expect(prepared).toHaveLength(1);
    expect(text(root)).not.toContain("Preparing payment…");
    expect(button(root, "Pay €70.00")).toBeTruthy();
  });

  it("Stripe busy: keeps preparing with the seats held, never says nothing was reserved", async () => {
    const srv = server(order({ payment: null }));
    let refusals = 0;
    srv.prepare = () => {
      if (++refusals <= 3) return problem(503, "payment_unavailable", { detail: "Many people are paying right now; your seats are still held." });
      srv.current = { ...srv.current, payment: payment() };
      return ok(srv.current);
    };
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => text(root).includes("Your seats are held for you"));
    expect(text(root)).toContain("Preparing payment…");
    expect(text(root)).not.toContain("nothing was reserved");
    expect(root.querySelector(".payment-error")).toBeNull();
    await waitFor(() => root.querySelector(".fake-card"));
    expect(refusals).toBe(4);
  });

  it("a hold that ended while preparing says so", async () => {
    const srv = server(order({ payment: null }));
    srv.prepare = () => {
      srv.current = order({ status: "expired", expires_at: null, payment: null });
      return problem(409, "hold_expired");
    };
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector("[data-status=expired]"));
    expect(text(root)).not.toContain("Preparing payment…");
  });
});

describe("refunds on their way", () => {
  it("an expired hold paid too late shows the refund in progress", async () => {
    server(order({ status: "expired", expires_at: null,
                   payment: payment({ status: "refund_due", client_secret: null, setup_client_secret: null }) }));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector("[data-status=expired]"));
    expect(text(root)).toContain("A refund of €70.00 to your card is on its way.");
  });

  it("a resumed order recalls why the last attempt failed", async () => {
    server(order({ payment: payment({ last_error: "Your card was declined." }) }));
    const root = await visit(`/tickets/${ID}`);
    await waitFor(() => root.querySelector(".fake-card"));
    expect(text(root)).toContain("Your last payment attempt did not go through: Your card was declined.");
  });
});
