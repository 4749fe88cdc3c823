/** "My tickets": the signed-in user's waiting lists (an offer links to its payment), orders
 * (pending ones resume their payment), each ticket's QR code, and cancelling. */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Order } from "../api";
import { signIn, sessionExpired } from "../auth";
import { dateTime, money, plural } from "../format";
import { useSession } from "../session";
import { CancelOrder } from "./CancelOrder";
import { Empty, ErrorState, Loading, PageTitle, useNow, useResource } from "./common";
import { Countdown } from "./Countdown";
import { NotFound } from "./NotFound";
import { holdLapsed, paymentInFlight, refundSentence } from "./orderState";
import { PaymentStep } from "./Payment";
import { WaitingLists } from "./Waitlist";

function SignInFirst({ what }: { what: string }) {
  const expired = sessionExpired();
  return (
    <div class="state state-signin" role={expired ? "alert" : undefined}>
      <p>{expired ? "Your session has expired. Sign in again to continue where you were."
                  : `Sign in to see ${what}.`}</p>
      <button type="button" class="button" onClick={() => void signIn()}>
        {expired ? "Sign in again" : "Sign in"}
      </button>
    </div>
  );
}

export function MyTickets({ search }: { search: URLSearchParams }) {
  const session = useSession();
  const page = Math.max(1, Number(search.get("page") || "1") || 1);
  const token = session?.accessToken;
  const [orders, reload] = useResource(
    (signal) => (token ? api.orders(page > 1 ? page : undefined, signal) : Promise.resolve(null)),
    [token, page]);
  return (
    <section aria-labelledby="page-title">
      <PageTitle title="My tickets">My tickets</PageTitle>
      {session && <WaitingLists key={session.accessToken} />}
      {!session ? <SignInFirst what="your tickets" /> :
       orders.state === "loading" ? <Loading label="Loading your tickets…" /> :
       orders.state === "error" ? <ErrorState error={orders.error} retry={reload} /> :
       !orders.data || orders.data.results.length === 0 ? (
         <Empty>You have no tickets yet. <a href="/">Find a show</a></Empty>
       ) : (
         <>
           <ul class="orders" role="list">
             {orders.data.results.map((order) => (
               <li key={order.id}><OrderCard order={order} /></li>
             ))}
           </ul>
           {(orders.data.previous || orders.data.next) && (
             <nav class="pager" aria-label="Pages">
               {orders.data.previous && <a class="button button-secondary" href={`/tickets?page=${page - 1}`} rel="prev">Previous</a>}
               {orders.data.next && <a class="button button-secondary" href={`/tickets?page=${page + 1}`} rel="next">Next</a>}
             </nav>
           )}
         </>
       )}
    </section>
  );
}

export function OrderPage({ id, search }: { id: string; search: URLSearchParams }) {
  const session = useSession();
  const token = session?.accessToken;
  const [order, reload, replace] = useResource(
    (signal) => (token ? api.order(id, signal) : Promise.resolve(null)), [token, id]);
  // What happened on this page to a pending order: paid (confirmed), cancelled, expired.
  const [outcome, setOutcome] = useState<Order["status"] | null>(null);
  const changed = useCallback((next: Order) => {
    if (next.status !== "pending") setOutcome(next.status);
    replace(next);
  }, [replace]);
  const paidRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (outcome === "confirmed") paidRef.current?.focus();
  }, [outcome]);
  if (!session) {
    return (
      <section aria-labelledby="page-title">
        <PageTitle title="Your order">Your order</PageTitle>
        <SignInFirst what="this order" />
      </section>
    );
  }
  if (order.state === "loading") return <Loading label="Loading your order…" />;
  if (order.state === "error") {
    if (order.error instanceof ApiError && order.error.status === 404) return <NotFound />;
    return <ErrorState error={order.error} retry={reload} />;
  }
  if (!order.data) return null;
  const data = order.data;
  const title = data.performance.show?.title || "Your order";
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs"><a href="/tickets">← My tickets</a></p>
      <PageTitle title={title}>{title}</PageTitle>
      {outcome === "confirmed" && data.status === "confirmed" ? (
        <p class="notice notice-success" role="status" ref={paidRef} tabIndex={-1}>
          Payment received: {plural(data.quantity, "ticket", "tickets")} confirmed. Show the codes below at the door.
        </p>
      ) : search.get("reserved") && data.status === "confirmed" && (
        <p class="notice notice-success" role="status">
          Reserved: {plural(data.quantity, "ticket", "tickets")}. Show the codes below at the door.
        </p>
      )}
      {data.status === "pending"
        ? <PaymentStep order={data} onOrder={changed} />
        : <OrderCard order={data} detail onChange={changed}
                     focusNotice={outcome === "cancelled" || outcome === "expired"} />}
    </section>
  );
}

const BADGES = {
  pending: "Awaiting payment",
  processing: "Payment processing",
  confirmed: "Confirmed",
  expired: "Expired",
  cancelled: "Cancelled",
} as const;

export function OrderCard({ order: initial, detail = false, focusNotice = false, onChange }:
    { order: Order; detail?: boolean; focusNotice?: boolean; onChange?: (order: Order) => void }) {
  const [order, setOrder] = useState(initial);
  const [cancelledHere, setCancelledHere] = useState(false);
  useEffect(() => setOrder(initial), [initial]);
  const pending = order.status === "pending";
  const now = useNow(pending);
  const state: keyof typeof BADGES = holdLapsed(order, now) ? "expired"
    : paymentInFlight(order) ? "processing" : order.status;
  // Keyboard users keep their place: after a cancellation, focus moves to what replaced it.
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if ((cancelledHere || focusNotice) && (state === "cancelled" || state === "expired")) noticeRef.current?.focus();
  }, [cancelledHere, focusNotice, state]);
  const p = order.performance;
  const refund = refundSentence(order.payment, money);
  // Before the start only; the server has the last word (409 sales_closed).
  const canCancel = (state === "confirmed" || state === "pending") && new Date(p.starts_at).getTime() > now;
  const headingId = `order-${order.id}`;
  const backToShow = p.show?.slug && <> <a href={`/shows/${encodeURIComponent(p.show.slug)}`}>Back to the show</a></>;

  return (
    <article class={`order order-${state}`} aria-labelledby={headingId} data-order={order.id} data-status={state}>
      <header class="order-head">
        {detail ? (
          <h2 id={headingId}><time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></h2>
        ) : (
          <h2 id={headingId}>
            <a href={`/tickets/${order.id}`}>{p.show?.title ? `${p.show.title} — ` : ""}<time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></a>
          </h2>
        )}
        <span class={`badge badge-${state}`}>{BADGES[state]}</span>
      </header>
      <p class="meta">
        {p.venue && <span>{p.venue.name}, {p.venue.city}</span>}
        <span>{plural(order.quantity, "ticket", "tickets")}</span>
        <span>Total {money(order.total_cents, order.currency)}</span>
      </p>
      {state === "cancelled" ? (
        <div class="notice" role="status" ref={noticeRef} tabIndex={-1}>
          <p>This order is cancelled; its seats were released.{refund && ` ${refund}`}{backToShow}</p>
        </div>
      ) : state === "expired" ? (
        <div class="notice notice-expired" role="status" ref={noticeRef} tabIndex={-1}>
          <p>Your hold expired and the seats were released.{refund && ` ${refund}`}{backToShow}</p>
        </div>
      ) : state === "pending" ? (
        <div class="order-pending">
          {(order.seats ?? []).length > 0 && (
            <p class="order-seats">Seats held: {order.seats.map((seat) => seat.label).join("; ")}</p>
          )}
          <Countdown expiresAt={order.expires_at} now={now} />
          <a class="button" href={`/tickets/${order.id}`}>
            Complete payment<span class="visually-hidden"> for {p.show?.title || "this order"}</span>
          </a>
        </div>
      ) : state === "processing" ? (
        <p class="notice">Payment received; waiting for confirmation. <a href={`/tickets/${order.id}`}>View order</a></p>
      ) : (
        <>
          {refund && <p class="notice">{refund}</p>}
          <ul class="tickets" role="list">
            {order.tickets.map((t) => (
              <li class="ticket" key={t.code}>
                <QrCode orderId={order.id} code={t.code} />
                {t.seat && <p class="ticket-seat">{t.seat.label}</p>}
                <p class="ticket-code"><span class="visually-hidden">Ticket code </span><code>{t.code}</code></p>
                {t.checked_in_at && <p class="meta">Checked in {dateTime(t.checked_in_at)}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      {canCancel && (
        <CancelOrder order={order} onCancelled={(next) => { setCancelledHere(true); setOrder(next); onChange?.(next); }} />
      )}
    </article>
  );
}

/** Fetched with the bearer token, shown through an object URL, released on unmount. */
export function QrCode({ orderId, code }: { orderId: string; code: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    let url: string | null = null;
    api.ticketQr(orderId, code, controller.signal).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        if (controller.signal.aborted) URL.revokeObjectURL(url);
        else setSrc(url);
      },
      () => { if (!controller.signal.aborted) setFailed(true); },
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [orderId, code]);
  if (failed) return <p class="qr qr-failed">QR code unavailable; give the code below at the door.</p>;
  if (!src) return <div class="qr qr-loading" role="status" aria-label="Loading QR code" />;
  return <img class="qr" src={src} alt={`QR code for ticket ${code}`} width={200} height={200} />;
}
