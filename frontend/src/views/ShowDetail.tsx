/** One show: its description and performances, each with its status and a reserve form, or
 * the waiting list when it is sold out. */

import { useRef, useState } from "preact/hooks";
import { api, ApiError, newIdempotencyKey, type Order, type Performance, type PerformanceStatus, type VoucherPreview } from "../api";
import { signIn } from "../auth";
import { dateTime, money, plural } from "../format";
import { navigate } from "../router";
import { useSession } from "../session";
import { Empty, ErrorState, Loading, PageTitle, errorMessage, useResource } from "./common";
import { NotFound } from "./NotFound";
import { CodesFields, estimate, type CodesChoice } from "./Codes";
import { WaitlistPanel } from "./Waitlist";

export const MAX_PER_ORDER = 10;

export const STATUS_LABELS: Record<PerformanceStatus, string> = {
  on_sale: "On sale",
  sold_out: "Sold out",
  sales_closed: "Sales closed",
  not_yet_on_sale: "Not yet on sale",
  cancelled: "Cancelled",
};

export function ShowDetail({ slug }: { slug: string }) {
  const [show, reload] = useResource((signal) => api.show(slug, signal), [slug]);
  if (show.state === "loading") return <Loading label="Loading show…" />;
  if (show.state === "error") {
    if (show.error instanceof ApiError && show.error.status === 404) return <NotFound />;
    return <ErrorState error={show.error} retry={reload} />;
  }
  const data = show.data;
  return (
    <article aria-labelledby="page-title">
      <p class="crumbs"><a href="/">← All shows</a></p>
      <PageTitle title={data.title}>{data.title}</PageTitle>
      {data.summary && <p class="lead">{data.summary}</p>}
      {data.poster_url && <img class="poster poster-large" src={data.poster_url} alt={`Poster for ${data.title}`} />}
      <div class="description">
        {(data.description || "").split(/\n{2,}/).map((para, i) => <p key={i}>{para}</p>)}
      </div>
      <p class="meta"><span>Duration: {data.duration_minutes} minutes</span></p>
      <h2>Performances</h2>
      {data.performances.length === 0 ? (
        <Empty>No upcoming performances.</Empty>
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

function PerformanceItem({ performance: p, onChange }: { performance: Performance; onChange: () => void }) {
  const labelId = `perf-${p.id}`;
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
  return (
    <li class={`performance status-${status}`} aria-labelledby={labelId} data-performance={p.id}>
      <div class="performance-info">
        <h3 id={labelId}><time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></h3>
        <p class="meta">
          <span>{p.venue.name}, {p.venue.city}</span>
          <span>{money(p.price_cents, p.currency)}</span>
          {status === "on_sale" && <span class="seats-left" data-seats-left={p.seats_left}>{plural(p.seats_left, "seat", "seats")} left</span>}
        </p>
      </div>
      <div class="performance-action">
        <span class={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>
        {status === "on_sale" && <ReserveForm performance={p} onChange={onChange} onError={onReserveError} />}
      </div>
      {error !== null && (
        <div id={`qty-${p.id}-error`} class="inline-error" role="alert">
          <p>{errorMessage(error)}</p>
          {error instanceof ApiError && error.code === "session_expired" && (
            <button type="button" class="button button-secondary" onClick={() => void signIn()}>Sign in again</button>
          )}
        </div>
      )}
      {status === "sold_out" && (
        <WaitlistPanel performance={p} seats={soldOutFor ?? undefined} onRefused={onWaitlistRefused} />
      )}
    </li>
  );
}

/**
 * A reserve intent has one Idempotency-Key: a double click or a retry after a network error
 * sends the same key, so the server reserves once. A new quantity is a new intent.
 */
export function ReserveForm({ performance: p, onChange, onError }:
    { performance: Performance; onChange: () => void; onError: (error: unknown, quantity: number) => void }) {
  const session = useSession();
  const max = Math.min(MAX_PER_ORDER, p.seats_left);
  const [quantity, setQuantity] = useState(Math.min(1, max));
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const setError = (error: unknown) => { setFailed(error !== null); onError(error, quantity); };
  const intent = useRef<string | null>(null);
  const inFlight = useRef<Promise<Order> | null>(null);
  const [codes, setCodes] = useState<CodesChoice>({});
  const [preview, setPreview] = useState<VoucherPreview | null>(null);
  const id = `qty-${p.id}`;
  const price = estimate(p.price_cents, quantity, preview, codes.category);

  if (!session) {
    return (
      <button type="button" class="button" onClick={() => void signIn()}>
        Sign in to reserve
      </button>
    );
  }

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (inFlight.current) return; // a double click joins the request already sent
    intent.current ??= newIdempotencyKey();
    setBusy(true);
    setError(null);
    const withCodes = { ...(codes.voucher ? { voucher: codes.voucher } : {}),
                        ...(codes.gift_card ? { gift_card: codes.gift_card } : {}) };
    const request = api.reserve(codes.category
      ? { performance: p.id, lines: [{ category: codes.category, quantity }], ...withCodes }
      : { performance: p.id, quantity, ...withCodes }, intent.current);
    inFlight.current = request;
    try {
      const order = await request;
      intent.current = null;
      navigate(`/tickets/${order.id}?reserved=1`);
    } catch (e) {
      setError(e);
      const code = e instanceof ApiError ? e.code : "";
      // Keep the key only where a retry must be recognised as the same intent.
      if (!["network", "idempotency_in_progress", "unavailable", "throttled", "session_expired"].includes(code)) {
        intent.current = null;
      }
      if (code === "sold_out" || code === "sales_closed") onChange();
    } finally {
      inFlight.current = null;
      setBusy(false);
    }
  };

  return (
    <form class="reserve" onSubmit={onSubmit} aria-describedby={failed ? `${id}-error` : undefined}>
      <label for={id}>Tickets</label>
      <select id={id} value={quantity} disabled={busy}
              onChange={(e) => { setQuantity(Number(e.currentTarget.value)); intent.current = null; setError(null); }}>
        {Array.from({ length: max }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
      </select>
      <button type="submit" class="button" disabled={busy} aria-busy={busy}>
        {busy ? "Reserving…" : `Reserve · ${money(price.total, p.currency)}`}
      </button>
      <CodesFields performance={p} total={price.total}
                   onChange={(choice, found) => { setCodes(choice); setPreview(found); intent.current = null; setError(null); }} />
    </form>
  );
}
