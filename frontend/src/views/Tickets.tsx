/** "My tickets": the signed-in user's orders, each ticket's QR code, and cancelling. */

import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, type Order } from "../api";
import { signIn, sessionExpired } from "../auth";
import { dateTime, money, plural } from "../format";
import { useSession } from "../session";
import { Empty, ErrorState, Loading, PageTitle, errorMessage, useResource } from "./common";
import { NotFound } from "./NotFound";

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
  const [order, reload] = useResource(
    (signal) => (token ? api.order(id, signal) : Promise.resolve(null)), [token, id]);
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
  const title = order.data.performance.show?.title || "Your order";
  return (
    <section aria-labelledby="page-title">
      <p class="crumbs"><a href="/tickets">← My tickets</a></p>
      <PageTitle title={title}>{title}</PageTitle>
      {search.get("reserved") && order.data.status === "confirmed" && (
        <p class="notice notice-success" role="status">
          Reserved: {plural(order.data.quantity, "ticket", "tickets")}. Show the codes below at the door.
        </p>
      )}
      <OrderCard order={order.data} detail />
    </section>
  );
}

export function OrderCard({ order: initial, detail = false }: { order: Order; detail?: boolean }) {
  const [order, setOrder] = useState(initial);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setOrder(initial), [initial]);
  // Keyboard users keep their place: focus follows the step that replaced the button.
  const confirmRef = useRef<HTMLButtonElement>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    if (confirming) { confirmRef.current?.focus(); moved.current = true; }
  }, [confirming]);
  useEffect(() => {
    if (order.status === "cancelled" && moved.current) noticeRef.current?.focus();
  }, [order.status]);
  const p = order.performance;
  const cancelled = order.status === "cancelled";
  // Before the start only; the server has the last word (409 sales_closed).
  const canCancel = !cancelled && new Date(p.starts_at).getTime() > Date.now();
  const headingId = `order-${order.id}`;

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      setOrder(await api.cancel(order.id));
      setConfirming(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class={`order order-${order.status}`} aria-labelledby={headingId} data-order={order.id}>
      <header class="order-head">
        {detail ? (
          <h2 id={headingId}><time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></h2>
        ) : (
          <h2 id={headingId}>
            <a href={`/tickets/${order.id}`}>{p.show?.title ? `${p.show.title} — ` : ""}<time dateTime={p.starts_at}>{dateTime(p.starts_at)}</time></a>
          </h2>
        )}
        <span class={`badge badge-${order.status}`}>{cancelled ? "Cancelled" : "Confirmed"}</span>
      </header>
      <p class="meta">
        {p.venue && <span>{p.venue.name}, {p.venue.city}</span>}
        <span>{plural(order.quantity, "ticket", "tickets")}</span>
        <span>Total {money(order.total_cents, order.currency)}</span>
      </p>
      {cancelled ? (
        <p class="notice" role="status" ref={noticeRef} tabIndex={-1}>This order is cancelled; its seats were released.
          {p.show?.slug && <> <a href={`/shows/${encodeURIComponent(p.show.slug)}`}>Back to the show</a></>}
        </p>
      ) : (
        <ul class="tickets" role="list">
          {order.tickets.map((t) => (
            <li class="ticket" key={t.code}>
              <QrCode orderId={order.id} code={t.code} />
              <p class="ticket-code"><span class="visually-hidden">Ticket code </span><code>{t.code}</code></p>
              {t.checked_in_at && <p class="meta">Checked in {dateTime(t.checked_in_at)}</p>}
            </li>
          ))}
        </ul>
      )}
      {canCancel && (
        <div class="order-actions">
          {!confirming ? (
            <button type="button" class="button button-danger" onClick={() => setConfirming(true)}>
              Cancel order
            </button>
          ) : (
            <div class="confirm" role="group" aria-label="Confirm cancellation">
              <p>Cancel {plural(order.quantity, "ticket", "tickets")}? The seats go back on sale.</p>
              <button type="button" class="button button-danger" disabled={busy} onClick={cancel} ref={confirmRef}>
                {busy ? "Cancelling…" : "Yes, cancel"}
              </button>
              <button type="button" class="button button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
                Keep my tickets
              </button>
            </div>
          )}
          {error !== null && <p class="inline-error" role="alert">{errorMessage(error)}</p>}
        </div>
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
