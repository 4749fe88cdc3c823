/**
 * The one way the SPA reaches the server (DESIGN.md, house style 10).
 *
 * Types come from `api-types.ts`, generated from the committed OpenAPI document by
 * `npm run gen:api`; they are looked up by path, as the contract (API.md) names them.
 * Failures are thrown as `ApiError`: an RFC 9457 problem (`code` is the stable key the
 * views switch on), or the synthetic codes `network` (no answer) and `session_expired`.
 * A 503 `database_resuming` (a paused database waking up) is not a failure: the request
 * is sent again after its `Retry-After`, while the shell says "Waking up the box office…"
 * (waking.ts). Nothing was done by the refused request, so sending it again is safe.
 */

import type { paths } from "./api-types";
import { API_BASE } from "./config";
import { getAccessToken, clearSession } from "./auth";
import { WAKING_GIVE_UP_MS, pause, retryAfterMs, startWaiting } from "./waking";
import { language, t } from "./i18n";

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Ok<Op> = Op extends { responses: infer R }
  ? R extends { 200: infer A } ? Json<A> : R extends { 201: infer B } ? Json<B> : never
  : never;
type Body<Op> = Op extends { requestBody: { content: { "application/json": infer T } } }
  ? T : Op extends { requestBody?: { content: { "application/json": infer T } } } ? T : never;

export type ShowPage = Ok<paths["/api/v1/shows/"]["get"]>;
export type ShowSummary = ShowPage["results"][number];
export type ShowDetail = Ok<paths["/api/v1/shows/{slug}/"]["get"]>;
export type Performance = ShowDetail["performances"][number];
export type PerformanceStatus = Performance["status"];
/** A visible price category of a performance ("Full price", "Reduced"…). */
export type Category = Performance["categories"][number];
/** Until when, and for what fee, a customer may cancel (shown before paying). */
export type RefundPolicy = Performance["refund_policy"];
export type ServerTime = Ok<paths["/api/v1/time/"]["get"]>;
export type PerformanceDetail = Ok<paths["/api/v1/performances/{performance_id}/"]["get"]>;
export type InfoList = Ok<paths["/api/v1/info/"]["get"]>;
export type InfoDetail = Ok<paths["/api/v1/info/{slug}/"]["get"]>;
export type Me = Ok<paths["/api/v1/me/"]["get"]>;
export type CustomerLanguage = Ok<paths["/api/v1/me/language/"]["put"]>;
/** The server defaults these to false; the generated type marks defaulted fields required. */
type Defaulted = "best_available" | "split" | "wheelchair";
type Loosen<T> = T extends unknown
  ? Omit<T, Extract<keyof T, Defaulted>> & Partial<Pick<T, Extract<keyof T, Defaulted>>> : never;
export type ReserveBody = Loosen<Body<paths["/api/v1/tickets/"]["post"]>>;

export type Order = Ok<paths["/api/v1/tickets/"]["post"]>;
/** One category of an order: how many seats, at what price each. */
export type OrderLine = Order["lines"][number];
export type Ticket = Order["tickets"][number];
/** Null for a free order; the client secrets only while the order is pending. */
export type Payment = NonNullable<Order["payment"]>;
export type OrderStatus = Order["status"];
export type PaymentStatus = Payment["status"];
export type PayBody = Body<paths["/api/v1/tickets/{order_id}/pay/"]["post"]>;
export type OrderPage = Ok<paths["/api/v1/tickets/"]["get"]>;

type WaitlistPath = paths["/api/v1/performances/{performance_id}/waitlist/"];
/** The customer's place on a performance's waiting list (`position` 1 = head of the line). */
export type WaitlistEntry = Ok<WaitlistPath["get"]>;
export type WaitlistStatus = WaitlistEntry["status"];
export type WaitlistJoinBody = Body<WaitlistPath["post"]>;
export type MyWaitlists = Ok<paths["/api/v1/waitlist/"]["get"]>;
export type Layout = Ok<paths["/api/v1/layouts/{layout_id}/"]["get"]>;
export type SeatAvailability = Ok<paths["/api/v1/performances/{performance_id}/seats/"]["get"]>;
export type SeatRef = NonNullable<Order["tickets"][number]["seat"]>;
/** Where a visitor stands in a performance's waiting room (`position` 0 = admitted). */
export type WaitingRoomStanding = Ok<paths["/api/v1/performances/{performance_id}/waiting-room/"]["post"]>;

/** What a voucher does for one performance: per-category discounts, hidden tariffs revealed. */
export type VoucherPreview = Ok<paths["/api/v1/vouchers/{code}/"]["get"]>;
export type GiftCardBalance = Ok<paths["/api/v1/gift-cards/{code}/"]["get"]>;
export type GiftCardPurchase = Ok<paths["/api/v1/gift-cards/"]["post"]>;
export type GiftCardPurchaseBody = Body<paths["/api/v1/gift-cards/"]["post"]>;

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  errors?: Record<string, string[]>;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || problem.code);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

/** Stable fallback codes for responses that are not problem documents. */
function codeForStatus(status: number): string {
  if (status === 401) return "not_authenticated";
  if (status === 404) return "not_found";
  if (status === 429) return "throttled";
  if (status === 503) return "unavailable";
  if (status >= 500) return "server_error";
  return "error";
}

async function toProblem(response: Response): Promise<Problem> {
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      const body = (await response.json()) as Partial<Problem>;
      if (body && typeof body === "object") {
        return { ...body, status: body.status ?? response.status,
                 code: body.code || codeForStatus(response.status) };
      }
    } catch { /* not JSON after all: fall through */ }
  }
  return { status: response.status, code: codeForStatus(response.status),
           title: response.statusText || "Error" };
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  auth?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Sends one request; resolves with the raw successful response, throws `ApiError`.
 *  While the box office wakes up (503 `database_resuming`) it waits and sends it again. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const started = Date.now();
  let done: (() => void) | undefined;
  try {
    for (;;) {
      try {
        return await sendOnce(path, options);
      } catch (error) {
        const waking = error instanceof ApiError && error.code === "database_resuming";
        if (!waking || Date.now() - started > WAKING_GIVE_UP_MS) throw error;
        done ??= startWaiting();
        await pause(Number(error.problem.retryAfterMs) || 5000, options.signal);
      }
    }
  } finally {
    done?.();
  }
}

async function sendOnce(path: string, options: RequestOptions): Promise<Response> {
  const url = new URL(API_BASE + path, location.origin);
  for (const [name, value] of Object.entries(options.query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  // The API answers in the visitor's language: problems' titles and details, show content.
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": language(),
                                            ...options.headers };
  if (options.auth) {
    const token = getAccessToken();
    if (!token) {
      throw new ApiError({ status: 401, code: "session_expired", title: t("Please sign in") });
    }
    headers.Authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    // "no-cache": the browser always asks again (the edge answers public pages): the
    // stale-while-revalidate the server gives CloudFront must not let the browser show a
    // count it already knows is old (DEPLOY.md, "Public pages at the edge").
    response = await fetch(url.toString(), { method: options.method || "GET", headers, body,
                                            signal: options.signal, cache: "no-cache" });
  } catch (error) {
    if ((error as Error)?.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "network", title: t("Network unavailable"),
                         detail: t("The box office could not be reached. Check your connection and try again.") });
  }
  if (!response.ok) {
    const problem = await toProblem(response);
    if (problem.code === "database_resuming") {
      problem.retryAfterMs = retryAfterMs(response.headers.get("Retry-After"));
    }
    if (response.status === 401 && options.auth) {
      // The token expired or was revoked: forget it, the view offers to sign in again.
      clearSession();
      throw new ApiError({ ...problem, code: "session_expired", serverCode: problem.code });
    }
    throw new ApiError(problem);
  }
  return response;
}

async function json<T>(path: string, options?: RequestOptions): Promise<T> {
  const response = await send(path, options);
  return (await response.json()) as T;
}

const enc = encodeURIComponent;
const waitlistPath = (performanceId: number) => `/api/v1/performances/${enc(String(performanceId))}/waitlist/`;
const waitingRoomPath = (performanceId: number) => `/api/v1/performances/${enc(String(performanceId))}/waiting-room/`;

export type ShowQuery = NonNullable<paths["/api/v1/shows/"]["get"]["parameters"]["query"]>
  & { page?: number };

export const api = {
  shows: (query: ShowQuery = {}, signal?: AbortSignal) =>
    json<ShowPage>("/api/v1/shows/", { query: { ...query }, signal }),
  show: (slug: string, signal?: AbortSignal) =>
    json<ShowDetail>(`/api/v1/shows/${enc(slug)}/`, { signal }),
  performance: (id: number, signal?: AbortSignal) =>
    json<PerformanceDetail>(`/api/v1/performances/${enc(String(id))}/`, { signal }),
  infoPages: (signal?: AbortSignal) => json<InfoList>("/api/v1/info/", { signal }),
  infoPage: (slug: string, signal?: AbortSignal) =>
    json<InfoDetail>(`/api/v1/info/${enc(slug)}/`, { signal }),
  me: () => json<Me>("/api/v1/me/", { auth: true }),
  /** Stores the language the customer chose on their account: their emails follow it. */
  setMyLanguage: (chosen: CustomerLanguage["language"]) =>
    json<CustomerLanguage>("/api/v1/me/language/", { method: "PUT", auth: true, body: { language: chosen } }),
  /** The server's clock (`now`, ISO with ms): countdowns to an on-sale time follow it. */
  serverTime: (signal?: AbortSignal) => json<ServerTime>("/api/v1/time/", { signal }),
  /**
   * `idempotencyKey` is one per reserve intent: the same key on a retry never reserves twice.
   * Body `{performance, lines: [{category, quantity}]}`. Refusals: 409 `category_sold_out`
   * (`category`, `seats_left`), `sold_out`, `sales_not_open` (`on_sale_at`), `sales_closed`,
   * `limit_exceeded` (a category's per-order maximum, with `category`; or 10 in all);
   * 404 `not_found` (a category no longer on sale); `admission_required` and the like (the
   * performance's waiting room).
   */
  reserve: (body: ReserveBody, idempotencyKey: string, admission?: string | null) =>
    json<Order>("/api/v1/tickets/", { method: "POST", body, auth: true,
                                      headers: { "Idempotency-Key": idempotencyKey,
                                                 ...(admission ? { Admission: admission } : {}) } }),
  /**
   * The payment step: the held order with its `payment`, made now if it has none (idempotent:
   * a reload never makes a second one). Refusals: 503 `payment_unavailable` (Stripe busy or
   * unreachable; the seats are still held: ask again), 409 `hold_expired`.
   */
  preparePayment: (id: string, signal?: AbortSignal) =>
    json<Order>(`/api/v1/tickets/${enc(id)}/payment/`, { method: "POST", auth: true, signal }),
  /** Joins a performance's waiting room (again: the same place) and says where one stands. */
  joinWaitingRoom: (performanceId: number, signal?: AbortSignal) =>
    json<WaitingRoomStanding>(waitingRoomPath(performanceId), { method: "POST", auth: true, signal }),
  /** Where one stands in the waiting room now (404 `not_found`: never joined). */
  waitingRoom: (performanceId: number, signal?: AbortSignal) =>
    json<WaitingRoomStanding>(waitingRoomPath(performanceId), { auth: true, signal }),
  orders: (page?: number, signal?: AbortSignal) =>
    json<OrderPage>("/api/v1/tickets/", { auth: true, query: { page }, signal }),
  order: (id: string, signal?: AbortSignal) =>
    json<Order>(`/api/v1/tickets/${enc(id)}/`, { auth: true, signal }),
  /** The order, cancelled: `refund_cents` is what goes back, `fee_cents` what its refund rule
   * kept. Refusals: 409 `cancellation_closed` (past the rule's deadline), `sales_closed`. */
  cancel: (id: string) =>
    json<Order>(`/api/v1/tickets/${enc(id)}/cancel/`, { method: "POST", auth: true }),
  /**
   * Charges a pending order with a payment method saved by stripe.js (`pm_…`). The answer is
   * the order; a 3-D Secure challenge shows as `payment.status == "requires_action"`.
   * Refusals: 402 `card_declined` (detail: the bank's words; the hold stays), 409
   * `hold_expired`, 503 `payment_unavailable` (the seats are still held).
   */
  pay: (id: string, paymentMethod: string) =>
    json<Order>(`/api/v1/tickets/${enc(id)}/pay/`, { method: "POST", auth: true,
                                                     body: { payment_method: paymentMethod } satisfies PayBody }),
  /** The customer's entry on a performance's waiting list; null when they are not on it (404). */
  waitlistEntry: async (performanceId: number, signal?: AbortSignal): Promise<WaitlistEntry | null> => {
    try {
      return await json<WaitlistEntry>(waitlistPath(performanceId), { auth: true, signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
  /**
   * Joins a sold-out performance's waiting list for `seats`, accepting down to `min_seats`.
   * Refusals: 409 `seats_available` (reserve instead), `already_waiting`, `waitlist_closed`,
   * `sales_closed`; 422 `invalid`.
   */
  joinWaitlist: (performanceId: number, body: WaitlistJoinBody) =>
    json<WaitlistEntry>(waitlistPath(performanceId), { method: "POST", body, auth: true }),
  /** Leaves the list (204); leaving while holding an offer declines it. 404: not on it. */
  leaveWaitlist: async (performanceId: number): Promise<void> => {
    await send(waitlistPath(performanceId), { method: "DELETE", auth: true });
  },
  /** The waiting lists the customer is on (waiting, or holding an offer); not paginated. */
  myWaitlists: (signal?: AbortSignal) => json<MyWaitlists>("/api/v1/waitlist/", { auth: true, signal }),
  /** A seat map (static: cached for long; `version` from the availability busts it). */
  layout: (id: number, version: number, signal?: AbortSignal) =>
    json<Layout>(`/api/v1/layouts/${enc(String(id))}/`, { query: { v: version }, signal }),
  /**
   * Which seats of a seated performance are taken (cached a few seconds), and the zones'
   * prices. `fresh`: after a seat was taken meanwhile, past every cache (`?at=`).
   */
  seats: (performanceId: number, signal?: AbortSignal, fresh = false) =>
    json<SeatAvailability>(`/api/v1/performances/${enc(String(performanceId))}/seats/`,
                           { signal, query: { at: fresh ? Date.now() : undefined } }),
  /**
   * What a voucher code does for a performance. Refusals: 409 `voucher_invalid`,
   * `voucher_not_applicable`, `voucher_used_up`; 429 `throttled` (too many codes tried).
   */
  voucherPreview: (code: string, performanceId: number) =>
    json<VoucherPreview>(`/api/v1/vouchers/${enc(code.trim())}/`,
                         { query: { performance: performanceId }, auth: !!getAccessToken() }),
  /** A gift card's balance (signed in). Refusals: 409 `gift_card_invalid`, 429 `throttled`. */
  giftCardBalance: (code: string) =>
    json<GiftCardBalance>(`/api/v1/gift-cards/${enc(code.trim())}/`, { auth: true }),
  /** Buys a gift card: a purchase with its card payment to complete (`payGiftCard`). */
  buyGiftCard: (body: GiftCardPurchaseBody) =>
    json<GiftCardPurchase>("/api/v1/gift-cards/", { method: "POST", body, auth: true }),
  giftCardPurchase: (id: string, signal?: AbortSignal) =>
    json<GiftCardPurchase>(`/api/v1/gift-cards/purchases/${enc(id)}/`, { auth: true, signal }),
  payGiftCard: (id: string, paymentMethod: string) =>
    json<GiftCardPurchase>(`/api/v1/gift-cards/purchases/${enc(id)}/pay/`,
                           { method: "POST", auth: true, body: { payment_method: paymentMethod } }),
  /** The QR code needs the bearer token, so it is fetched, not linked: an SVG blob. */
  ticketQr: async (id: string, code: string, signal?: AbortSignal): Promise<Blob> => {
    const response = await send(`/api/v1/tickets/${enc(id)}/tickets/${enc(code)}/qr.svg`,
                                { auth: true, signal, headers: { Accept: "image/svg+xml, */*" } });
    return svgBlob(await response.text());
  },
  /** The order's tickets as a PDF (one per page): fetched with the bearer token, a blob. */
  ticketsPdf: async (id: string, layout: "a4" | "thermal" = "a4"): Promise<Blob> => {
    const response = await send(`/api/v1/tickets/${enc(id)}/tickets.pdf`,
                                { auth: true, query: { layout }, headers: { Accept: "application/pdf, */*" } });
    return response.blob();
  },
};

/**
 * An SVG image blob. An <img> only renders SVG that declares the SVG namespace; inline-style
 * SVG (as made for embedding in HTML) may omit it, so it is added when missing.
 */
export function svgBlob(svg: string): Blob {
  const fixed = /^\s*(<\?xml[^>]*>\s*)?<svg\b[^>]*\bxmlns=/.test(svg)
    ? svg : svg.replace(/<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return new Blob([fixed], { type: "image/svg+xml" });
}

/** A new Idempotency-Key: one per reserve intent. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
