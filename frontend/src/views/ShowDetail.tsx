/** One show: its description and performances, each with its status and a reserve form (a
 * quantity per price category), a countdown when it is not on sale yet, or the waiting list
 * when it is sold out. */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, newIdempotencyKey, type Category, type Order, type Performance,
         type PerformanceStatus, type VoucherPreview, type WaitingRoomStanding } from "../api";
import { signIn } from "../auth";
import { dateTime, money } from "../format";
import { t, tn } from "../i18n";
import { navigate } from "../router";
import { syncClock } from "../serverClock";
import { useSession } from "../session";
import { type Basket, buyable, clampBasket, initialBasket, limitReason, linesOf, lowStock, maxFor,
         openedAt, seatsIn, withQuantity } from "./basket";
import { Empty, ErrorState, Loading, PageTitle, errorMessage, lazyView, useResource } from "./common";
import { NotFound } from "./NotFound";
import { CodesFields, estimateLines, revealedCategories, type CodesChoice } from "./Codes";
import { OnSaleCountdown, useServerClock } from "./OnSale";
import { refundRule } from "./refundRule";
import { WaitlistPanel } from "./Waitlist";

import type { SeatMap as SeatMapView } from "./SeatMap";

export { MAX_PER_ORDER } from "./basket";

/** The seat map: a chunk of its own, loaded for seated performances only. */
const SeatMap = lazyView<Parameters<typeof SeatMapView>[0]>(
  () => import("./SeatMap").then((m) => m.SeatMap));

/** Refusals of a reservation that send the visitor to the performance's waiting room. */
const ADMISSION_CODES = ["admission_required", "admission_expired", "admission_invalid"];
/** Tests shrink the room's delays. */
export const waitingRoomTiming = { scale: 1 };

/** "less than a minute", "about 3 minutes". */
export function waitEstimate(seconds: number): string {
  if (seconds < 60) return t("less than a minute");
  const minutes = Math.round(seconds / 60);
  return tn(minutes, "about {n} minute", "about {n} minutes");
}

export function statusLabel(status: PerformanceStatus): string {
  const labels: Record<PerformanceStatus, string> = {
    on_sale: t("On sale"),
    sold_out: t("Sold out"),
    sales_closed: t("Sales closed"),
    not_yet_on_sale: t("Coming soon"),
    cancelled: t("Cancelled"),
  };
  return labels[status] ?? status;
}

export function ShowDetail({ slug }: { slug: string }) {
  const [show, reload] = useResource((signal) => api.show(slug, signal), [slug]);
  if (show.state === "loading") return <Loading label={t("Loading show…")} />;
  if (show.state === "error") {
    if (show.error instanceof ApiError && show.error.status === 404) return <NotFound />;
    return <ErrorState error={show.error} retry={reload} />;
  }
  const data = show.data;
  return (
    <article aria-labelledby="page-title">
      <p class="crumbs"><a href="/">{t("← All shows")}</a></p>
      <PageTitle title={data.title}>{data.title}</PageTitle>
      {data.summary && <p class="lead">{data.summary}</p>}
      {data.poster_url && <img class="poster poster-large" src={data.poster_url} alt={t("Poster for {title}", { title: data.title })} />}
      <div class="description">
        {(data.description || "").split(/\n{2,}/).map((para, i) => <p key={i}>{para}</p>)}
      </div>
      <p class="meta"><span>{t("Duration: {minutes} minutes", { minutes: data.duration_minutes })}</span></p>
      <h2>{t("Performances")}</h2>
      {data.performances.length === 0 ? (
        <Empty>{t("No upcoming performances.")}</Empty>
      ) : (
        <ul class="performances" role="list">
          {data.performances.map((p) => <PerformanceItem key={p.id} performance={p} onChange={reload} />)}
        </ul>
      )}
    </article>
  );
}

/**
 * A general reservation refused because the seats that come free go to the waiting list
 * (409 sold_out, no seats left for general sale): the way in is the list.
 */
function listFirst(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== "sold_out") return false;
  const left = error.problem.seats_left;
  return !(typeof left === "number" && left > 0);
}

function PerformanceItem({ performance: announced, onChange }: { performance: Performance; onChange: () => void }) {
  const labelId = `perf-${announced.id}`;
  // Not on sale yet: counted down on the server's clock, then on sale at that second.
  const now = useServerClock(announced.status === "not_yet_on_sale" ? announced.on_sale_at : null);
  const p = openedAt(announced, now);
  const opened = announced.status === "not_yet_on_sale" && p.status !== "not_yet_on_sale";
  // Kept here, not in the form: a refusal (sold out, session expired) may remove the form.
  const [error, setError] = useState<unknown>(null);
  // A reserve attempt answered "sold out, join the list": how many seats were wanted.
  const [soldOutFor, setSoldOutFor] = useState<number | null>(null);
  const status: PerformanceStatus = soldOutFor !== null && p.status === "on_sale" ? "sold_out" : p.status;
  const onReserveError = (e: unknown, quantity: number) => {
    setError(e);
    if (listFirst(e)) setSoldOutFor(quantity);
  };
  const onWaitlistRefused = (e: unknown) => {
    setSoldOutFor(null); // seats on sale again, or no list: the show's own status decides
    setError(e);
    onChange();
  };
  const prices = new Set(p.categories.map((c) => c.price_cents));
  return (
    <li class={`performance status-${status}`} aria-labelledby={labelId} data-performance={p.id}>
      <div class="performance-info">
        <h3 id={labelId}><time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></h3>
        <p class="meta">
          <span>{p.venue.name}, {p.venue.city}</span>
          <span>{prices.size > 1 ? t("From {price}", { price: money(p.price_cents, p.currency) }) : money(p.price_cents, p.currency)}</span>
          {status === "on_sale" && <span class="seats-left" data-seats-left={p.seats_left}>{tn(p.seats_left, "{n} seat left", "{n} seats left")}</span>}
        </p>
      </div>
      <div class="performance-action">
        <span class={`badge badge-${status}`}>{statusLabel(status)}</span>
        {status === "not_yet_on_sale" && <SignInEarly />}
      </div>
      {status === "not_yet_on_sale" && <OnSaleCountdown onSaleAt={p.on_sale_at} now={now} />}
      {/* Said once, when the countdown ends on this page; the form appears in its place. */}
      <p class="visually-hidden" aria-live="polite">{opened && status === "on_sale" ? t("Tickets are on sale now.") : ""}</p>
      {status === "on_sale" && !p.layout && <ReserveForm performance={p} onChange={onChange} onError={onReserveError} />}
      {status === "on_sale" && p.layout && <SeatMap performance={p} onChange={onChange} />}
      {error !== null && (
        <div id={`qty-${p.id}-error`} class="inline-error" role="alert">
          <p>{reserveErrorMessage(error, p)}</p>
          {error instanceof ApiError && error.code === "session_expired" && (
            <button type="button" class="button button-secondary" onClick={() => void signIn()}>{t("Sign in again")}</button>
          )}
        </div>
      )}
      {status === "sold_out" && (
        <WaitlistPanel performance={p} seats={soldOutFor ?? undefined} onRefused={onWaitlistRefused} />
      )}
    </li>
  );
}

/** Before the on-sale time, signing in is the one thing to do: the form opens signed in. */
function SignInEarly() {
  const session = useSession();
  if (session) return null;
  return <button type="button" class="button button-secondary" onClick={() => void signIn()}>{t("Sign in to be ready")}</button>;
}

/** A refusal of a reservation in the customer's words, naming the category it is about. */
export function reserveErrorMessage(error: unknown, p: Performance): string {
  if (error instanceof ApiError) {
    const named = error.problem.category as { name?: string } | undefined;
    const name = named?.name ? `“${named.name}”` : t("this category");
    if (error.code === "category_sold_out") {
      const left = error.problem.seats_left;
      if (typeof left === "number" && left > 0) {
        return tn(left, "Only {n} {name} seat left: choose fewer.", "Only {n} {name} seats left: choose fewer.", { name });
      }
      const sold = t("{name} is sold out: choose another category.", { name });
      return `${sold[0].toUpperCase()}${sold.slice(1)}`;
    }
    if (error.code === "limit_exceeded" && named) return error.problem.detail || errorMessage(error);
    if (error.code === "sales_not_open") {
      const at = typeof error.problem.on_sale_at === "string" ? error.problem.on_sale_at : p.on_sale_at;
      return at ? t("Tickets are not on sale yet: they go on sale {when}.", { when: dateTime(at) }) : errorMessage(error);
    }
    if (error.code === "not_found") return t("A price category you chose is no longer on sale. The prices have been refreshed: please choose again.");
  }
  return errorMessage(error);
}

/** Refusals after which the page's seats and categories are read again. */
const RELOAD_AFTER = ["sold_out", "category_sold_out", "sales_closed", "sales_not_open", "not_found"];

/**
 * The reserve form: a stepper per visible category (name, price, description, "only N left",
 * sold out), and one per hidden category a voucher code reveals (at its price with the
 * code's discount), the running total, the refund rule, and "Reserve". A reserve intent has one
 * Idempotency-Key: a double click or a retry after a network error sends the same key, so
 * the server reserves once. A changed basket is a new intent. An announced on-sale may put
 * the customer in its waiting room first (admission_required): their place is shown until
 * their turn, then the basket is reserved at once with the admission.
 */
export function ReserveForm({ performance: p, onChange, onError }:
    { performance: Performance; onChange: () => void; onError: (error: unknown, quantity: number) => void }) {
  const session = useSession();
  const [codes, setCodes] = useState<CodesChoice>({});
  const [preview, setPreview] = useState<VoucherPreview | null>(null);
  // The visible categories, then those the voucher reveals: one basket, mixed freely.
  const revealed = revealedCategories(preview, p.status);
  const categories = revealed.length ? [...p.categories, ...revealed] : p.categories;
  // Clamped on every render: a reload or a refusal may have lowered what is left.
  const [wanted, setWanted] = useState<Basket>(() => initialBasket(p.categories, p.seats_left));
  const basket = clampBasket(wanted, categories, p.seats_left);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const [empty, setEmpty] = useState(false);
  const intent = useRef<string | null>(null);
  const inFlight = useRef<Promise<Order> | null>(null);
  const admission = useRef<string | null>(null);
  const roomJoins = useRef(0); // per submit: a refused admission rejoins once, not forever
  const [standing, setStanding] = useState<WaitingRoomStanding | null>(null);
  const id = `qty-${p.id}`;
  const seats = seatsIn(basket);
  const lines = linesOf(basket, categories);
  // With the voucher's discounts (an estimate: the server prices the lines again).
  const price = estimateLines(lines, categories, preview);
  const cents = (n: number) => money(n, p.currency);
  const setError = (error: unknown) => { setFailed(error !== null); onError(error, seats); };

  // In the waiting room: ask where one stands when the room says to, until admitted.
  useEffect(() => {
    if (!standing || standing.admission) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        admitted(await api.waitingRoom(p.id, controller.signal));
      } catch (e) {
        if (controller.signal.aborted) return;
        setStanding({ ...standing }); // a blip: ask again after the same delay
      }
    }, Math.max(standing.retry_after_seconds, 1) * 1000 * waitingRoomTiming.scale);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [standing]);

  if (!session) {
    return (
      <div class="reserve reserve-signed-out">
        <PriceList categories={p.categories} currency={p.currency} />
        <button type="button" class="button" onClick={() => void signIn()}>
          {t("Sign in to reserve")}
        </button>
      </div>
    );
  }

  /** A new voucher (or none): the tariffs it no longer reveals leave the basket. */
  const codesChanged = (choice: CodesChoice, found: VoucherPreview | null) => {
    setCodes(choice);
    setPreview(found);
    setWanted(clampBasket(basket, [...p.categories, ...revealedCategories(found, p.status)], p.seats_left));
    intent.current = null;
    setError(null);
  };

  const change = (category: Category, quantity: number) => {
    const next = withQuantity(basket, category, quantity, p.seats_left);
    intent.current = null;
    setEmpty(false);
    if (failed) setError(null);
    setWanted(next);
    return next[category.id] ?? 0;
  };

  /** Reserves with the intent's key (and the waiting room's admission, once given). */
  const reserve = async () => {
    if (inFlight.current) return; // a double click joins the request already sent
    intent.current ??= newIdempotencyKey();
    setBusy(true);
    setError(null);
    const withCodes = { ...(codes.voucher ? { voucher: codes.voucher } : {}),
                        ...(codes.gift_card ? { gift_card: codes.gift_card } : {}) };
    const request = api.reserve({ performance: p.id, lines, ...withCodes }, intent.current,
                                admission.current);
    inFlight.current = request;
    try {
      const order = await request;
      intent.current = null;
      navigate(`/tickets/${order.id}?reserved=1`);
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "";
      if (ADMISSION_CODES.includes(code) && roomJoins.current < 2) {
        // An announced on-sale: take a place in its waiting room (the same place if taken).
        admission.current = null;
        inFlight.current = null;
        setBusy(false);
        void joinRoom();
        return;
      }
      setError(e);
      // Keep the key only where a retry must be recognised as the same intent.
      if (!["network", "idempotency_in_progress", "unavailable", "throttled", "session_expired"].includes(code)) {
        intent.current = null;
      }
      if (code === "sales_not_open") void syncClock(true); // this clock ran ahead of the server's
      if (RELOAD_AFTER.includes(code)) {
        onChange();
        if (preview) void refreshPreview(preview.code);
      }
    } finally {
      inFlight.current = null;
      setBusy(false);
    }
  };

  /** After a refusal that reloads the performance: the revealed tariffs' seats left as
   * they are now too (their steppers clamp to them). A failed read keeps the last one: the
   * server decides again at the next reservation. */
  const refreshPreview = async (voucher: string) => {
    try {
      setPreview(await api.voucherPreview(voucher, p.id));
    } catch {
      // kept as it was
    }
  };

  const admitted = (next: WaitingRoomStanding) => {
    setStanding(next);
    if (next.admission) {
      admission.current = next.admission;
      setStanding(null);
      void reserve(); // their turn: reserve at once, as they asked
    }
  };

  const joinRoom = async () => {
    roomJoins.current++;
    try {
      admitted(await api.joinWaitingRoom(p.id));
    } catch (e) {
      setError(e);
    }
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (seats === 0) { setEmpty(true); return; }
    roomJoins.current = 0;
    await reserve();
  };

  if (standing && !standing.admission) {
    return (
      <div class="notice waiting-room" role="status" aria-live="polite" data-position={standing.position}>
        <p><span class="spinner" aria-hidden="true" />{t("You are in the waiting room:")} <strong>{t("number {n} in line", { n: standing.position })}</strong></p>
        <p>{t("Estimated wait: {wait}.", { wait: waitEstimate(standing.estimate_seconds) })} {tn(seats, "We reserve your ticket as soon as it is your turn.", "We reserve your {n} tickets as soon as it is your turn.")}</p>
        <p class="meta">{t("Keep this page open. Reloading keeps your place; it never moves you forward.")}</p>
      </div>
    );
  }

  const rule = refundRule(p.refund_policy, cents);
  const describedBy = [failed && `${id}-error`, empty && `${id}-empty`, rule && `${id}-refund`]
    .filter(Boolean).join(" ") || undefined;
  return (
    <form class="reserve" onSubmit={onSubmit} aria-describedby={describedBy} noValidate>
      <fieldset class="categories" disabled={busy}>
        <legend class="visually-hidden">{t("Tickets for {when}", { when: dateTime(p.starts_at) })}</legend>
        <ul class="categories-list" role="list">
          {categories.map((c) => {
            const unlocked = revealed.includes(c) ? preview?.categories.find((v) => v.id === c.id) : undefined;
            return (
              <CategoryRow key={c.id} category={c} id={`${id}-${c.id}`} quantity={basket[c.id] ?? 0}
                           max={maxFor(c, basket, p.seats_left)}
                           limit={limitReason(c, basket, p.seats_left)}
                           price={cents(c.price_cents - (unlocked?.discount_cents ?? 0))}
                           note={unlocked && t("Unlocked by your code")}
                           onQuantity={(n) => change(c, n)} />
            );
          })}
        </ul>
      </fieldset>
      <p class="reserve-total" role="status" aria-live="polite">
        {seats === 0 ? t("No tickets chosen yet.") : <>{tn(seats, "Total: {n} ticket", "Total: {n} tickets")} · <strong>{cents(price.total)}</strong></>}
      </p>
      {empty && <p id={`${id}-empty`} class="field-error" role="alert">{t("Choose at least one ticket.")}</p>}
      {rule && <p id={`${id}-refund`} class="refund-rule">{rule}</p>}
      <button type="submit" class="button" disabled={busy} aria-busy={busy}>
        {busy ? t("Reserving…") : seats === 0 ? t("Reserve") : t("Reserve · {total}", { total: cents(price.total) })}
      </button>
      <CodesFields performance={p} total={price.total} onChange={codesChanged} />
    </form>
  );
}

/** Signed out: what each category costs, before signing in to choose. */
function PriceList({ categories, currency }: { categories: readonly Category[]; currency: string | undefined }) {
  if (categories.length < 2) return null;
  return (
    <ul class="price-list" role="list">
      {categories.map((c) => (
        <li key={c.id}>{c.name}: {money(c.price_cents, currency)}{buyable(c) ? "" : t(" (sold out)")}</li>
      ))}
    </ul>
  );
}

/**
 * One category's stepper: "−", the quantity (a number field: type it, or arrow keys), "+".
 * The buttons stay focusable at their bounds (aria-disabled, not disabled), so a keyboard
 * user pressing "+" is not dropped out of the form; the reason is said beside them.
 */
function CategoryRow({ category: c, id, quantity, max, limit, price, note, onQuantity }:
    { category: Category; id: string; quantity: number; max: number; limit: string | null;
      price: string; note?: string; onQuantity: (n: number) => number }) {
  const soldOut = !buyable(c);
  const low = lowStock(c);
  const described = [`${id}-price`, note && `${id}-note`, c.description && `${id}-desc`,
                     low !== null && `${id}-low`, limit && quantity > 0 && `${id}-limit`]
    .filter(Boolean).join(" ");
  // A focused "+" that just reached its bound keeps focus; its state is read out again.
  const step = (by: number) => { if (!soldOut) onQuantity(quantity + by); };
  return (
    <li class={`category${soldOut ? " category-sold-out" : ""}${note ? " category-revealed" : ""}`} data-category={c.id}>
      <div class="category-info">
        <label for={id} class="category-name">{c.name}</label>
        <span id={`${id}-price`} class="category-price">{price}</span>
        {note && <p id={`${id}-note`} class="category-unlocked">{note}</p>}
        {c.description && <p id={`${id}-desc`} class="category-description">{c.description}</p>}
        {soldOut ? <p class="category-state">{t("Sold out")}</p>
          : low !== null && <p id={`${id}-low`} class="category-low">{t("Only {n} left", { n: low })}</p>}
        {limit && quantity > 0 && <p id={`${id}-limit`} class="category-limit">{limit}</p>}
      </div>
      <div class="stepper">
        <button type="button" class="step" aria-label={t("One {name} ticket less", { name: c.name })} aria-controls={id}
                aria-disabled={soldOut || quantity <= 0 || undefined} onClick={() => step(-1)}>−</button>
        <input id={id} type="number" inputMode="numeric" min={0} max={max} step={1} value={quantity}
               disabled={soldOut} aria-describedby={described}
               onChange={(e) => {
                 const field = e.currentTarget;
                 field.value = String(onQuantity(Number.parseInt(field.value, 10) || 0));
               }} />
        <button type="button" class="step" aria-label={t("One {name} ticket more", { name: c.name })} aria-controls={id}
                aria-disabled={soldOut || quantity >= max || undefined} onClick={() => step(1)}>+</button>
      </div>
    </li>
  );
}
