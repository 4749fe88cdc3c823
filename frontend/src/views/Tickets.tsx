/** "My tickets": the signed-in user's waiting lists (an offer links to its payment), orders
 * (pending ones resume their payment), each ticket's QR code, and cancelling. */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Order } from "../api";
import { signIn, sessionExpired } from "../auth";
import { dateTime, money } from "../format";
import { t, tn } from "../i18n";
import { useSession } from "../session";
import { CancelOrder } from "./CancelOrder";
import { Empty, ErrorState, Loading, PageTitle, useNow, useResource } from "./common";
import { Countdown } from "./Countdown";
import { NotFound } from "./NotFound";
import { LineRows, linesInWords } from "./OrderLines";
import { feeSentence, holdLapsed, paymentInFlight, refundSentence } from "./orderState";
import { PaymentStep } from "./Payment";
import { WaitingLists } from "./Waitlist";

function SignInFirst({ what }: { what: "tickets" | "order" }) {
  const expired = sessionExpired();
  return (
    <div class="state state-signin" role={expired ? "alert" : undefined}>
      <p>{expired ? t("Your session has expired. Sign in again to continue where you were.")
        : what === "tickets" ? t("Sign in to see your tickets.") : t("Sign in to see this order.")}</p>
      <button type="button" class="button" onClick={() => void signIn()}>
        {expired ? t("Sign in again") : t("Sign in")}
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
      <PageTitle title={t("My tickets")}>{t("My tickets")}</PageTitle>
      {session && <WaitingLists key={session.accessToken} />}
      {!session ? <SignInFirst what="tickets" /> :
       orders.state === "loading" ? <Loading label={t("Loading your tickets…")} /> :
       orders.state === "error" ? <ErrorState error={orders.error} retry={reload} /> :
       !orders.data || orders.data.results.length === 0 ? (
         <Empty>{t("You have no tickets yet.")} <a href="/">{t("Find a show")}</a></Empty>
       ) : (
         <>
           <ul class="orders" role="list">
             {orders.data.results.map((order) => (
               <li key={order.id}><OrderCard order={order} /></li>
             ))}
           </ul>
           {(orders.data.previous || orders.data.next) && (
             <nav class="pager" aria-label={t("Pages")}>
               {orders.data.previous && <a class="button button-secondary" href={`/tickets?page=${page - 1}`} rel="prev">{t("Previous")}</a>}
               {orders.data.next && <a class="button button-secondary" href={`/tickets?page=${page + 1}`} rel="next">{t("Next")}</a>}
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
        <PageTitle title={t("Your order")}>{t("Your order")}</PageTitle>
        <SignInFirst what="order" />
      </section>
    );
  }
  if (order.state === "loading") return <Loading label={t("Loading your order…")} />;
  if (order.state === "error") {
    if (order.error instanceof ApiError && order.error.status === 404) return <NotFound />;
    return <ErrorState error={order.error} retry={reload} />;
  }
  if (!order.data) return null;
  const data = order.data;
  const title = data.performance.show?.title || t("Your order");
  const words = linesInWords(data);
  const inWords = words ? ` (${words})` : "";
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs"><a href="/tickets">{t("← My tickets")}</a></p>
      <PageTitle title={title}>{title}</PageTitle>
      {outcome === "confirmed" && data.status === "confirmed" ? (
        <p class="notice notice-success" role="status" ref={paidRef} tabIndex={-1}>
          {tn(data.quantity, "Payment received: {n} ticket confirmed{detail}. Show the code below at the door.",
              "Payment received: {n} tickets confirmed{detail}. Show the codes below at the door.", { detail: inWords })}
        </p>
      ) : search.get("reserved") && data.status === "confirmed" && (
        <p class="notice notice-success" role="status">
          {tn(data.quantity, "Reserved: {n} ticket{detail}. Show the code below at the door.",
              "Reserved: {n} tickets{detail}. Show the codes below at the door.", { detail: inWords })}
        </p>
      )}
      {data.status === "pending"
        ? <PaymentStep order={data} onOrder={changed} />
        : <OrderCard order={data} detail onChange={changed}
                     focusNotice={outcome === "cancelled" || outcome === "expired"} />}
    </section>
  );
}

const badges = () => ({
  pending: t("Awaiting payment"),
  processing: t("Payment processing"),
  confirmed: t("Confirmed"),
  expired: t("Expired"),
  cancelled: t("Cancelled"),
});

export function OrderCard({ order: initial, detail = false, focusNotice = false, onChange }:
    { order: Order; detail?: boolean; focusNotice?: boolean; onChange?: (order: Order) => void }) {
  const [order, setOrder] = useState(initial);
  const [cancelledHere, setCancelledHere] = useState(false);
  useEffect(() => setOrder(initial), [initial]);
  const pending = order.status === "pending";
  const now = useNow(pending);
  const state: keyof ReturnType<typeof badges> = holdLapsed(order, now) ? "expired"
    : paymentInFlight(order) ? "processing" : order.status;
  // Keyboard users keep their place: after a cancellation, focus moves to what replaced it.
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if ((cancelledHere || focusNotice) && (state === "cancelled" || state === "expired")) noticeRef.current?.focus();
  }, [cancelledHere, focusNotice, state]);
  const p = order.performance;
  const refund = [refundSentence(order.payment, money, order.refund_cents), feeSentence(order, money)]
    .filter(Boolean).join(" ") || null;
  // Before the start only; the server has the last word (409 sales_closed).
  const canCancel = (state === "confirmed" || state === "pending") && new Date(p.starts_at).getTime() > now;
  const headingId = `order-${order.id}`;
  const backToShow = p.show?.slug && <> <a href={`/shows/${encodeURIComponent(p.show.slug)}`}>{t("Back to the show")}</a></>;

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
        <span class={`badge badge-${state}`}>{badges()[state]}</span>
      </header>
      <p class="meta">
        {p.venue && <span>{p.venue.name}, {p.venue.city}</span>}
        <span>{tn(order.quantity, "{n} ticket", "{n} tickets")}</span>
        <span>{t("Total {price}", { price: money(order.total_cents, order.currency) })}</span>
      </p>
      {(order.lines?.length ?? 0) > 0 && <dl class="summary order-lines"><LineRows order={order} /></dl>}
      {state === "cancelled" ? (
        <div class="notice" role="status" ref={noticeRef} tabIndex={-1}>
          <p>{t("This order is cancelled; its seats were released.")}{refund && ` ${refund}`}{backToShow}</p>
        </div>
      ) : state === "expired" ? (
        <div class="notice notice-expired" role="status" ref={noticeRef} tabIndex={-1}>
          <p>{t("Your hold expired and the seats were released.")}{refund && ` ${refund}`}{backToShow}</p>
        </div>
      ) : state === "pending" ? (
        <div class="order-pending">
          <Countdown expiresAt={order.expires_at} now={now} />
          <a class="button" href={`/tickets/${order.id}`}>
            {t("Complete payment")}<span class="visually-hidden"> {p.show?.title ? t("for {title}", { title: p.show.title }) : t("for this order")}</span>
          </a>
        </div>
      ) : state === "processing" ? (
        <p class="notice">{t("Payment received; waiting for confirmation.")} <a href={`/tickets/${order.id}`}>{t("View order")}</a></p>
      ) : (
        <>
          {refund && <p class="notice">{refund}</p>}
          <ul class="tickets" role="list">
            {order.tickets.map((ticket) => (
              <li class="ticket" key={ticket.code} data-category={ticket.category?.id}>
                {ticket.category && <p class="ticket-category">{ticket.category.name}</p>}
                <QrCode orderId={order.id} code={ticket.code} category={ticket.category?.name} />
                <p class="ticket-code"><span class="visually-hidden">{t("Ticket code")} </span><code>{ticket.code}</code></p>
                {ticket.checked_in_at && <p class="meta">{t("Checked in {when}", { when: dateTime(ticket.checked_in_at) })}</p>}
              </li>
            ))}
          </ul>
          <PrintTickets orderId={order.id} />
        </>
      )}
      {canCancel && (
        <CancelOrder order={order} onCancelled={(next) => { setCancelledHere(true); setOrder(next); onChange?.(next); }} />
      )}
    </article>
  );
}

/** Fetched with the bearer token, shown through an object URL, released on unmount. */
export function QrCode({ orderId, code, category }: { orderId: string; code: string; category?: string }) {
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
  if (failed) return <p class="qr qr-failed">{t("QR code unavailable; give the code below at the door.")}</p>;
  if (!src) return <div class="qr qr-loading" role="status" aria-label={t("Loading QR code")} />;
  return <img class="qr" src={src} alt={category ? t("QR code for ticket {code}, {category}", { code, category }) : t("QR code for ticket {code}", { code })} width={200} height={200} />;
}

/** Downloads the order's tickets as a PDF (A4 to print at home); the request carries the
 * bearer token, so it is fetched and saved from a blob rather than linked. */
export function PrintTickets({ orderId }: { orderId: string }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const download = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailed(false);
    try {
      const url = URL.createObjectURL(await api.ticketsPdf(orderId, "a4"));
      const link = document.createElement("a");
      link.href = url;
      link.download = `marquee-tickets-${orderId.slice(0, 8)}.pdf`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="print-tickets">
      <a class="button" href={`/api/v1/tickets/${orderId}/tickets.pdf`} onClick={download}
         aria-busy={busy}>Download tickets (PDF)</a>
      {failed && <span role="alert"> The PDF could not be downloaded; please try again.</span>}
    </p>
  );
}
