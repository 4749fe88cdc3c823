/**
 * What a customer picks on a show page: a quantity per price category (the "basket"), within
 * every limit the server applies, so that the steppers never offer what the server refuses:
 * a category's seats left and its per-order maximum, the performance's seats left, and 10
 * seats per order in all (the per-customer limit spans all lines). Pure functions, tested in
 * test/basket.test.ts; the server has the last word (category_sold_out, limit_exceeded…).
 */

import { t } from "../i18n";

import type { Category, Performance, PerformanceStatus } from "../api";

/** Seats one customer may hold for one performance, all categories together. */
export const MAX_PER_ORDER = 10;
/** "Only 3 left" from this many seats left in a category down. */
export const LOW_SEATS = 5;

/** Category id → seats wanted (absent: none). */
export type Basket = Readonly<Record<number, number>>;

export interface Line { category: number; quantity: number }

/** A category that can be bought now. */
export function buyable(category: Category): boolean {
  return category.status === "on_sale" && category.seats_left > 0;
}

export function seatsIn(basket: Basket): number {
  return Object.values(basket).reduce((sum, n) => sum + n, 0);
}

/** Seats of the whole order: 10 at most, and no more than the performance has left. */
export function orderCap(seatsLeft: number): number {
  return Math.max(0, Math.min(MAX_PER_ORDER, seatsLeft));
}

/** The most of `category` this basket may hold, the other categories' seats staying. */
export function maxFor(category: Category, basket: Basket, seatsLeft: number): number {
  if (!buyable(category)) return 0;
  const others = seatsIn(basket) - (basket[category.id] ?? 0);
  return Math.max(0, Math.min(category.max_per_order ?? Infinity, category.seats_left,
                              orderCap(seatsLeft) - others));
}

/**
 * The basket within today's limits (after a reload, a refusal or a sold-out category):
 * categories are served in their order, each clamped to what is left of the order's cap.
 */
export function clampBasket(basket: Basket, categories: readonly Category[], seatsLeft: number): Basket {
  const kept: Record<number, number> = {};
  let room = orderCap(seatsLeft);
  for (const category of categories) {
    const wanted = basket[category.id] ?? 0;
    if (wanted <= 0 || !buyable(category)) continue;
    const n = Math.min(wanted, category.max_per_order ?? Infinity, category.seats_left, room);
    if (n > 0) { kept[category.id] = n; room -= n; }
  }
  return kept;
}

/** `quantity` of `category`, an integer clamped to 0..maxFor. */
export function withQuantity(basket: Basket, category: Category, quantity: number, seatsLeft: number): Basket {
  const n = Math.max(0, Math.min(Math.floor(Number.isFinite(quantity) ? quantity : 0),
                                 maxFor(category, basket, seatsLeft)));
  const next: Record<number, number> = { ...basket };
  if (n > 0) next[category.id] = n;
  else delete next[category.id];
  return next;
}

/** What the basket costs, in cents, at the categories' prices. */
export function totalCents(basket: Basket, categories: readonly Category[]): number {
  return categories.reduce((sum, c) => sum + (basket[c.id] ?? 0) * c.price_cents, 0);
}

/** The reservation's `lines`, in the categories' order, none empty. */
export function linesOf(basket: Basket, categories: readonly Category[]): Line[] {
  return categories.filter((c) => (basket[c.id] ?? 0) > 0)
    .map((c) => ({ category: c.id, quantity: basket[c.id] }));
}

/** Where a stepper starts: one seat when a single category is on sale, else nothing. */
export function initialBasket(categories: readonly Category[], seatsLeft: number): Basket {
  const open = categories.filter(buyable);
  return open.length === 1 && orderCap(seatsLeft) > 0 ? { [open[0].id]: 1 } : {};
}

/** Seats left to show as "only N left", or null when there are plenty (or none). */
export function lowStock(category: Category): number | null {
  return buyable(category) && category.seats_left <= LOW_SEATS ? category.seats_left : null;
}

/** Why "+" does nothing now, in words, or null when one more may be added. */
export function limitReason(category: Category, basket: Basket, seatsLeft: number): string | null {
  if (!buyable(category)) return null;
  const have = basket[category.id] ?? 0;
  if (have < maxFor(category, basket, seatsLeft)) return null;
  if (category.max_per_order !== null && have >= category.max_per_order) {
    return t("At most {n} per order.", { n: category.max_per_order });
  }
  if (have >= category.seats_left) return t("No more {name} seats left.", { name: category.name });
  if (orderCap(seatsLeft) < MAX_PER_ORDER) return t("No more seats left for this performance.");
  return t("At most {n} tickets per order.", { n: MAX_PER_ORDER });
}

/**
 * A performance as it stands at `now` (the server's clock, ms): one announced as not yet on
 * sale is on sale from its `on_sale_at` on — the page may have been loaded before, or from
 * a cache — sold out if nothing is left; its categories likewise.
 */
export function openedAt(performance: Performance, now: number | null): Performance {
  if (performance.status !== "not_yet_on_sale" || now === null || !performance.on_sale_at
      || Date.parse(performance.on_sale_at) > now) {
    return performance;
  }
  const open = (left: number): PerformanceStatus => (left > 0 ? "on_sale" : "sold_out");
  return {
    ...performance,
    status: open(performance.seats_left),
    categories: performance.categories.map((c) =>
      (c.status === "not_yet_on_sale" ? { ...c, status: open(c.seats_left) } : c)),
  };
}
