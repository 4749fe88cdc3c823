/** The show page's logic (issue 21): steppers within every limit, the total, the lines, the
 * refund rule in words, the countdown's ticks and the server clock's offset. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Category, Performance } from "../src/api";
import { clock, dayAndTime } from "../src/format";
import { offsetFrom, resetClock, serverNow, syncClock } from "../src/serverClock";
import { clampBasket, initialBasket, limitReason, linesOf, lowStock, maxFor, openedAt, seatsIn,
         totalCents, withQuantity, type Basket } from "../src/views/basket";
import { nextTick } from "../src/views/OnSale";
import { cancellationFee, refundRule } from "../src/views/refundRule";
import { mockFetch, ok, salesFields } from "./helpers";

const cat = (id: number, fields: Partial<Category> = {}): Category => ({
  id, name: `C${id}`, description: "", price_cents: 3500, max_per_order: null, seats_left: 50,
  status: "on_sale", ...fields,
});
const full = cat(1, { name: "Full price", price_cents: 3500 });
const reduced = cat(2, { name: "Reduced", price_cents: 2450, seats_left: 3 });
const wheelchair = cat(3, { name: "Wheelchair space", price_cents: 2450, max_per_order: 2, seats_left: 4 });
const gone = cat(4, { name: "Under 12", seats_left: 0, status: "sold_out" });
const all = [full, reduced, wheelchair, gone];

describe("steppers", () => {
  it("a category's maximum: its seats, its per-order maximum, 10 in all, the performance's seats", () => {
    expect(maxFor(full, {}, 50)).toBe(10);
    expect(maxFor(reduced, {}, 50)).toBe(3);
    expect(maxFor(wheelchair, {}, 50)).toBe(2);
    expect(maxFor(gone, {}, 50)).toBe(0);
    expect(maxFor(full, { 2: 3, 3: 2 }, 50)).toBe(5); // 10 in all
    expect(maxFor(full, { 2: 3 }, 6)).toBe(3); // the performance has 6 left
    expect(maxFor(reduced, { 1: 9 }, 50)).toBe(1);
  });

  it("sets a quantity clamped to 0..max, as a whole number; 0 leaves the basket", () => {
    let b: Basket = {};
    b = withQuantity(b, full, 2, 50);
    b = withQuantity(b, reduced, 1, 50);
    expect(b).toEqual({ 1: 2, 2: 1 });
    expect(withQuantity(b, reduced, 7, 50)).toEqual({ 1: 2, 2: 3 });
    expect(withQuantity(b, wheelchair, 2.7, 50)).toEqual({ 1: 2, 2: 1, 3: 2 });
    expect(withQuantity(b, full, 0, 50)).toEqual({ 2: 1 });
    expect(withQuantity(b, full, -3, 50)).toEqual({ 2: 1 });
    expect(withQuantity(b, full, Number.NaN, 50)).toEqual({ 2: 1 });
    expect(withQuantity(b, gone, 1, 50)).toEqual(b);
    expect(withQuantity({ 1: 9 }, reduced, 3, 50)).toEqual({ 1: 9, 2: 1 });
  });

  it("the running total, the seats and the lines in the categories' order", () => {
    const b = { 2: 1, 1: 2 };
    expect(totalCents(b, all)).toBe(2 * 3500 + 2450);
    expect(seatsIn(b)).toBe(3);
    expect(linesOf(b, all)).toEqual([{ category: 1, quantity: 2 }, { category: 2, quantity: 1 }]);
    expect(totalCents({}, all)).toBe(0);
    expect(linesOf({}, all)).toEqual([]);
  });

  it("a basket is clamped again when fewer seats are left (a reload, a refusal)", () => {
    const b = { 1: 4, 2: 3, 3: 2 };
    expect(clampBasket(b, all, 50)).toEqual(b);
    expect(clampBasket(b, [full, cat(2, { seats_left: 1 }), wheelchair], 50)).toEqual({ 1: 4, 2: 1, 3: 2 });
    expect(clampBasket(b, all, 5)).toEqual({ 1: 4, 2: 1 }); // served in order
    expect(clampBasket({ 4: 2, 1: 1 }, all, 50)).toEqual({ 1: 1 }); // sold out since
    expect(clampBasket({ 9: 2 }, all, 50)).toEqual({}); // no longer listed
  });

  it("starts with one seat when a single category is on sale, else with none", () => {
    expect(initialBasket([full], 50)).toEqual({ 1: 1 });
    expect(initialBasket([full, gone], 50)).toEqual({ 1: 1 });
    expect(initialBasket(all, 50)).toEqual({});
    expect(initialBasket([full], 0)).toEqual({});
    expect(initialBasket([gone], 50)).toEqual({});
  });

  it("'only N left' from 5 seats down, not when sold out", () => {
    expect(lowStock(full)).toBeNull();
    expect(lowStock(reduced)).toBe(3);
    expect(lowStock(cat(5, { seats_left: 5 }))).toBe(5);
    expect(lowStock(cat(5, { seats_left: 6 }))).toBeNull();
    expect(lowStock(gone)).toBeNull();
  });

  it("says why '+' stops", () => {
    expect(limitReason(full, { 1: 3 }, 50)).toBeNull();
    expect(limitReason(wheelchair, { 3: 2 }, 50)).toBe("At most 2 per order.");
    expect(limitReason(reduced, { 2: 3 }, 50)).toBe("No more Reduced seats left.");
    expect(limitReason(full, { 1: 10 }, 50)).toBe("At most 10 tickets per order.");
    expect(limitReason(full, { 1: 4 }, 4)).toBe("No more seats left for this performance.");
  });
});

describe("on sale at the server's second", () => {
  const announced = (onSaleAt: string, seats = 10): Performance => ({
    id: 7, starts_at: "2030-05-01T19:30:00Z", venue: { name: "V", city: "C" }, capacity: 10,
    seats_left: seats, price_cents: 3500, currency: "EUR", status: "not_yet_on_sale",
    ...salesFields(7, "not_yet_on_sale", seats), on_sale_at: onSaleAt,
  } as Performance);
  const at = Date.parse("2030-04-01T10:00:00Z");

  it("turns on sale at on_sale_at, not a millisecond before; sold out if nothing is left", () => {
    const p = announced("2030-04-01T10:00:00Z");
    expect(openedAt(p, at - 1).status).toBe("not_yet_on_sale");
    expect(openedAt(p, null).status).toBe("not_yet_on_sale");
    const open = openedAt(p, at);
    expect(open.status).toBe("on_sale");
    expect(open.categories[0].status).toBe("on_sale");
    expect(openedAt(announced("2030-04-01T10:00:00Z", 0), at).status).toBe("sold_out");
    const onSale = { ...p, status: "on_sale" as const };
    expect(openedAt(onSale, at - 5000)).toBe(onSale);
  });

  it("ticks on the target's own second boundaries, the last one at the target", () => {
    expect(nextTick(3000)).toBe(1000);
    expect(nextTick(2500)).toBe(500);
    expect(nextTick(999.2)).toBe(1000);
    expect(nextTick(0.4)).toBe(1);
    expect(nextTick(0)).toBe(0);
  });

  it("the countdown reads m:ss, then h:mm:ss, then days, and 0:00 only at the end", () => {
    expect(clock(65_000)).toBe("1:05");
    expect(clock(1)).toBe("0:01");
    expect(clock(0)).toBe("0:00");
    expect(clock(3_599_001)).toBe("1:00:00");
    expect(clock(2 * 3_600_000 + 9 * 60_000 + 5_000)).toBe("2:09:05");
    expect(clock(86_400_000 + 61_000)).toBe("1 day 0:01:01");
    expect(clock(3 * 86_400_000)).toBe("3 days 0:00:00");
  });
});

describe("the server's clock", () => {
  afterEach(() => { resetClock(); vi.unstubAllGlobals(); vi.useRealTimers(); });

  it("the offset is the server's time less the midpoint of the round trip", () => {
    const sent = Date.parse("2030-04-01T09:59:00.000Z");
    expect(offsetFrom(sent, sent + 200, "2030-04-01T09:59:05.100Z")).toBe(5000);
    expect(offsetFrom(sent, sent + 40, "2030-04-01T09:58:58.020Z")).toBe(-2000);
    expect(() => offsetFrom(sent, sent, "soon")).toThrow();
  });

  it("measures once against /api/v1/time/ and counts from the server's time", async () => {
    vi.useFakeTimers({ now: Date.parse("2030-04-01T09:59:00.000Z"), toFake: ["Date"] });
    const calls = mockFetch(() => ok({ now: "2030-04-01T10:00:30.000Z" }));
    expect(await syncClock()).toBe(90_000);
    await syncClock();
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0].url).pathname).toBe("/api/v1/time/");
    expect(serverNow()).toBe(Date.parse("2030-04-01T10:00:30.000Z"));
    await syncClock(true);
    expect(calls).toHaveLength(2);
  });

  it("offline: the browser's clock, measured again next time", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("offline"); }));
    expect(await syncClock()).toBe(0);
    const calls = mockFetch(() => ok({ now: new Date(Date.now() + 60_000).toISOString() }));
    expect(await syncClock()).toBeGreaterThan(59_000);
    expect(calls).toHaveLength(1);
  });
});

describe("the refund rule in words", () => {
  const euros = (n: number) => `€${(n / 100).toFixed(2)}`;
  const until = "2030-05-01T16:00:00Z";
  const before = Date.parse("2030-04-01T10:00:00Z");
  const policy = (fields = {}) => ({ customer_may_cancel: true, cancel_until: until, hours_before: 2,
                                     fee_fixed_cents: 0, fee_percent: "0.00", ...fields });
  const when = dayAndTime(until);

  it("a deadline, with or without a fee; no cancellation", () => {
    expect(refundRule(policy(), euros, before)).toBe(`Cancel until ${when} for a full refund.`);
    expect(refundRule(policy({ fee_fixed_cents: 200 }), euros, before)).toBe(`Cancel until ${when} for a refund, fee €2.00.`);
    expect(refundRule(policy({ fee_percent: "5.00" }), euros, before)).toBe(`Cancel until ${when} for a refund, fee 5% of the total.`);
    expect(refundRule(policy({ fee_fixed_cents: 150, fee_percent: "2.50" }), euros, before))
      .toBe(`Cancel until ${when} for a refund, fee €1.50 + 2.5% of the total.`);
    expect(refundRule(policy({ customer_may_cancel: false, cancel_until: null }), euros))
      .toBe("No cancellation: tickets cannot be refunded.");
    expect(refundRule(null, euros)).toBeNull();
    expect(refundRule(policy(), euros, Date.parse(until))).toBe(`No cancellation: the deadline to cancel (${when}) has passed.`);
    expect(refundRule(policy(), euros, Date.parse(until) - 1)).toBe(`Cancel until ${when} for a full refund.`);
  });

  it("the fee as the server computes it: percent rounded half up, never over the total", () => {
    expect(cancellationFee(policy({ fee_fixed_cents: 200 }), 7000)).toBe(200);
    expect(cancellationFee(policy({ fee_percent: "5.00" }), 7000)).toBe(350);
    expect(cancellationFee(policy({ fee_percent: "12.50" }), 100)).toBe(13); // 12.5 ¢ → 13 ¢
    expect(cancellationFee(policy({ fee_percent: "12.50" }), 99)).toBe(12); // 12.375 ¢
    expect(cancellationFee(policy({ fee_fixed_cents: 200, fee_percent: "10.00" }), 150)).toBe(150);
    expect(cancellationFee(policy(), 7000)).toBe(0);
  });
});
