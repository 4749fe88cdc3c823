/** The show page with price categories (issue 21): steppers, the running total, the refund
 * rule, the refusals in words, and a performance not yet on sale counting down on the
 * server's clock to its buy form. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act } from "preact/test-utils";
import { App } from "../src/app";
import { dayAndTime } from "../src/format";
import { interceptLinks } from "../src/router";
import { resetClock, serverNow } from "../src/serverClock";
import { button, mockFetch, mount, ok, problem, signedIn, text, waitFor, type Call } from "./helpers";

const venue = { name: "Grand Théâtre", city: "Lyon" };
const CANCEL_UNTIL = "2030-05-01T17:30:00Z";
const categories = [
  { id: 11, name: "Full price", description: "", price_cents: 3500, max_per_order: null, seats_left: 40, status: "on_sale" },
  { id: 12, name: "Reduced", description: "Students: proof at the door.", price_cents: 2450, max_per_order: null, seats_left: 3, status: "on_sale" },
  { id: 13, name: "Wheelchair space", description: "", price_cents: 2450, max_per_order: 2, seats_left: 4, status: "on_sale" },
  { id: 14, name: "Under 12", description: "", price_cents: 1000, max_per_order: null, seats_left: 0, status: "sold_out" },
];
const perf = (fields: Record<string, unknown> = {}) => ({
  id: 1, starts_at: "2030-05-01T19:30:00Z", venue, capacity: 100, seats_left: 40, price_cents: 1000,
  currency: "EUR", status: "on_sale", on_sale_at: null, sales_end_at: "2030-05-01T19:30:00Z", categories,
  refund_policy: { customer_may_cancel: true, cancel_until: CANCEL_UNTIL, hours_before: 2,
                   fee_fixed_cents: 200, fee_percent: "0.00" },
  ...fields,
});
const show = (p = perf()) => ({ slug: "the-tempest", title: "The Tempest", summary: "", description: "",
                                poster_url: null, duration_minutes: 150, performances: [p] });
const ORDER = "0d6c7a9e-1111-4222-8333-444455556666";

async function visit(path: string) {
  history.replaceState(null, "", path);
  return mount(<App />);
}
const item = (root: HTMLElement) => root.querySelector("[data-performance='1']") as HTMLElement;
const field = (root: HTMLElement, id: number) => root.querySelector(`#qty-1-${id}`) as HTMLInputElement;
const row = (root: HTMLElement, id: number) => root.querySelector(`[data-category='${id}']`) as HTMLElement;
const more = (root: HTMLElement, id: number) => act(() => button(row(root, id), /^\+$/).click());
const submit = (root: HTMLElement) => act(() => {
  root.querySelector("form.reserve")!.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true }));
});
const posts = (calls: Call[]) => calls.filter((c) => c.init.method === "POST" && new URL(c.url).pathname === "/api/v1/tickets/");

let stopLinks: () => void;
beforeEach(() => { sessionStorage.clear(); resetClock(); stopLinks = interceptLinks(document); });
afterEach(() => { stopLinks(); vi.unstubAllGlobals(); resetClock(); });

describe("choosing seats per category", () => {
  it("a stepper per category, bounded; the running total; the refund rule; reserves the lines", async () => {
    signedIn();
    const calls = mockFetch((url, init) => (init.method === "POST" ? ok({ id: ORDER }, 201)
      : url.pathname.startsWith("/api/v1/tickets/") ? problem(404, "not_found") : ok(show())));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => field(root, 11));
    // Each category: its name as the field's label, price, description, "only N left".
    expect(root.querySelector("label[for='qty-1-12']")!.textContent).toBe("Reduced");
    expect(text(row(root, 12))).toContain("€24.50");
    expect(text(row(root, 12))).toContain("Students: proof at the door.");
    expect(text(row(root, 12))).toContain("Only 3 left");
    expect(text(row(root, 11))).not.toContain("left");
    expect(field(root, 12).getAttribute("aria-describedby")).toContain("qty-1-12-low");
    expect(text(row(root, 14))).toContain("Sold out");
    expect(field(root, 14).disabled).toBe(true);
    expect(text(item(root))).toContain("From €10.00");
    // Several categories: nothing chosen yet.
    expect(text(root.querySelector(".reserve-total")!)).toBe("No tickets chosen yet.");
    expect(text(root.querySelector(".refund-rule")!)).toBe(`Cancel until ${dayAndTime(CANCEL_UNTIL)} for a refund, fee €2.00.`);

    await more(root, 11);
    await more(root, 11);
    await more(root, 12);
    expect(text(root.querySelector(".reserve-total")!)).toBe("Total: 3 tickets · €94.50");
    expect(button(root, /^Reserve/).textContent).toBe("Reserve · €94.50");

    // The wheelchair space's per-order maximum: "+" stays focusable and says why it stops.
    const plus = button(row(root, 13), /^\+$/);
    await more(root, 13);
    await more(root, 13);
    plus.focus();
    await more(root, 13);
    expect(field(root, 13).value).toBe("2");
    expect(plus.getAttribute("aria-disabled")).toBe("true");
    expect(document.activeElement).toBe(plus);
    expect(text(row(root, 13))).toContain("At most 2 per order.");

    // 10 in all: typed quantities are clamped to what is left of the order.
    const full = field(root, 11);
    await act(() => { full.value = "25"; full.dispatchEvent(new Event("change", { bubbles: true })); });
    expect(full.value).toBe("7"); // 10 in all − 1 reduced − 2 wheelchair spaces
    expect(text(root.querySelector(".reserve-total")!)).toContain("10 tickets");
    expect(button(row(root, 12), /^\+$/).getAttribute("aria-disabled")).toBe("true");
    const minus = button(row(root, 12), /^−$/);
    await act(() => minus.click());
    expect(field(root, 12).value).toBe("0");
    expect(minus.getAttribute("aria-disabled")).toBe("true");

    await submit(root);
    await waitFor(() => posts(calls).length === 1);
    expect(JSON.parse(String(posts(calls)[0].init.body))).toEqual({
      performance: 1, lines: [{ category: 11, quantity: 7 }, { category: 13, quantity: 2 }] });
    await waitFor(() => location.pathname === `/tickets/${ORDER}`);
  });

  it("a single category starts at one seat; choosing none says so instead of sending", async () => {
    signedIn();
    const calls = mockFetch(() => ok(show(perf({ categories: [categories[0]] }))));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => field(root, 11));
    expect(field(root, 11).value).toBe("1");
    expect(button(root, /^Reserve/).textContent).toBe("Reserve · €35.00");
    await act(() => button(row(root, 11), /^−$/).click());
    await submit(root);
    expect(text(root)).toContain("Choose at least one ticket.");
    expect(posts(calls)).toHaveLength(0);
  });

  it("no cancellation is said as such; a signed-out visitor sees the prices and signs in", async () => {
    mockFetch(() => ok(show(perf({ refund_policy: { customer_may_cancel: false, cancel_until: null,
      hours_before: 0, fee_fixed_cents: 0, fee_percent: "0.00" } }))));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector(".price-list"));
    expect(text(root.querySelector(".price-list")!)).toContain("Reduced: €24.50");
    expect(text(root.querySelector(".price-list")!)).toContain("Under 12: €10.00 (sold out)");
    expect(button(root, "Sign in to reserve")).toBeTruthy();
    signedIn();
    await visit("/shows/the-tempest");
    await waitFor(() => root.ownerDocument.querySelector(".refund-rule"));
    expect(text(document.querySelector(".refund-rule") as HTMLElement)).toBe("No cancellation: tickets cannot be refunded.");
  });
});

describe("refusals in words", () => {
  async function refused(answer: Response) {
    signedIn();
    let shows = 0;
    const calls = mockFetch((url, init) => {
      if (init.method === "POST") return answer.clone();
      if (url.pathname === "/api/v1/time/") return ok({ now: new Date().toISOString() });
      shows++;
      return ok(show(perf({ categories: [categories[0]] })));
    });
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("form.reserve"));
    await submit(root);
    await waitFor(() => root.querySelector("[role=alert]"));
    await waitFor(() => shows >= 1);
    return { root, calls, shows: () => shows };
  }

  it("category_sold_out names the category and what is left, and reads the show again", async () => {
    const { root, shows } = await refused(problem(409, "category_sold_out",
      { category: { id: 11, name: "Full price" }, seats_left: 2 }));
    expect(text(root.querySelector("[role=alert]")!)).toBe("Only 2 “Full price” seats left: choose fewer.");
    await waitFor(() => shows() === 2);
  });

  it("a sold-out category, a per-order maximum, not on sale yet, a category gone", async () => {
    let { root } = await refused(problem(409, "category_sold_out", { category: { id: 11, name: "Full price" }, seats_left: 0 }));
    expect(text(root.querySelector("[role=alert]")!)).toBe("“Full price” is sold out: choose another category.");
    ({ root } = await refused(problem(409, "limit_exceeded", { category: { id: 13, name: "Wheelchair space" },
                                                               detail: "At most 2 “Wheelchair space” per order." })));
    expect(text(root.querySelector("[role=alert]")!)).toBe("At most 2 “Wheelchair space” per order.");
    ({ root } = await refused(problem(409, "limit_exceeded")));
    expect(text(root.querySelector("[role=alert]")!)).toBe("You can hold at most 10 seats for one performance, over all your orders.");
    ({ root } = await refused(problem(404, "not_found", { category: 11 })));
    expect(text(root.querySelector("[role=alert]")!)).toContain("no longer on sale");
  });

  it("sales_not_open says when, and measures the server's clock again", async () => {
    const at = "2030-04-01T08:00:00Z";
    const { root, calls } = await refused(problem(409, "sales_not_open", { on_sale_at: at }));
    expect(text(root.querySelector("[role=alert]")!)).toContain("Tickets are not on sale yet: they go on sale");
    await waitFor(() => calls.some((c) => new URL(c.url).pathname === "/api/v1/time/"));
  });
});

describe("not on sale yet", () => {
  it("counts down on the server's clock, then shows the form at that second and says so", async () => {
    signedIn();
    // The browser's clock is an hour behind the server's: counting on it would take an hour.
    const ahead = 3_600_000;
    const opens = new Date(Date.now() + ahead + 1600).toISOString();
    const calls = mockFetch((url) => (url.pathname === "/api/v1/time/"
      ? ok({ now: new Date(Date.now() + ahead).toISOString() })
      : ok(show(perf({ status: "not_yet_on_sale", on_sale_at: opens,
                       categories: categories.map((c) => ({ ...c, status: "not_yet_on_sale" })) })))));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("[role=timer]"));
    expect(text(item(root))).toContain(`On sale ${dayAndTime(opens, true)}`);
    expect(text(item(root).querySelector(".badge")!)).toBe("Coming soon");
    expect(text(root.querySelector("[role=timer]")!)).toMatch(/^0:0[12]$/);
    expect(root.querySelector("form.reserve")).toBeNull();
    await waitFor(() => root.querySelector("form.reserve"), 4000);
    expect(serverNow()).toBeGreaterThanOrEqual(Date.parse(opens)); // not a moment before
    expect(serverNow() - Date.parse(opens)).toBeLessThan(1000);
    expect(root.querySelector("[role=timer]")).toBeNull();
    expect(text(item(root).querySelector(".badge")!)).toBe("On sale");
    expect(text(item(root))).toContain("Tickets are on sale now.");
    expect(field(root, 11).disabled).toBe(false);
    expect(calls.filter((c) => new URL(c.url).pathname === "/api/v1/time/").length).toBeGreaterThanOrEqual(1);
  });

  it("signed out, it offers to sign in before the sale opens", async () => {
    mockFetch((url) => (url.pathname === "/api/v1/time/" ? ok({ now: new Date().toISOString() })
      : ok(show(perf({ status: "not_yet_on_sale", on_sale_at: "2030-04-01T08:00:00Z" })))));
    const root = await visit("/shows/the-tempest");
    await waitFor(() => root.querySelector("[role=timer]"));
    expect(button(root, "Sign in to be ready")).toBeTruthy();
    expect(text(root.querySelector("[role=timer]")!)).toMatch(/days/);
  });
});
