/** The home page: published shows, with search (`q`) and a date range (`from`, `to`). */

import { useState } from "preact/hooks";
import { api, type ShowQuery } from "../api";
import { dateTime, money } from "../format";
import { t, tn } from "../i18n";
import { navigate } from "../router";
import { Empty, ErrorState, Loading, PageTitle, useResource } from "./common";

export function queryFrom(search: URLSearchParams): ShowQuery {
  const page = Number(search.get("page") || "1");
  return {
    q: search.get("q") || undefined,
    from: search.get("from") || undefined,
    to: search.get("to") || undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
}

export function hrefFor(query: ShowQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const qs = params.toString();
  return qs ? `/?${qs}` : "/";
}

export function ShowList({ search }: { search: URLSearchParams }) {
  const query = queryFrom(search);
  const key = hrefFor(query);
  const [shows, reload] = useResource((signal) => api.shows(query, signal), [key]);
  const filtered = Boolean(query.q || query.from || query.to);

  return (
    <section aria-labelledby="page-title">
      <PageTitle title={t("What's on")}>{t("What's on")}</PageTitle>
      <SearchForm key={key} query={query} />
      <div aria-live="polite" aria-busy={shows.state === "loading"}>
        {shows.state === "loading" && <Loading label={t("Loading shows…")} />}
        {shows.state === "error" && <ErrorState error={shows.error} retry={reload} />}
        {shows.state === "ok" && shows.data.results.length === 0 && (
          <Empty>
            {filtered ? <>{t("No shows match your search.")} <a href="/">{t("Show everything")}</a></> : t("No shows are on sale right now. Come back soon.")}
          </Empty>
        )}
        {shows.state === "ok" && shows.data.results.length > 0 && (
          <>
            <p class="count">{tn(shows.data.count, "{n} show", "{n} shows")}</p>
            <ul class="cards" role="list">
              {shows.data.results.map((show) => (
                <li class="card" key={show.slug}>
                  {show.poster_url && <img class="poster" src={show.poster_url} alt="" loading="lazy" width={320} height={180} />}
                  <h2><a href={`/shows/${encodeURIComponent(show.slug)}`}>{show.title}</a></h2>
                  {show.summary && <p>{show.summary}</p>}
                  <p class="meta">
                    {show.next_performance_at && <span>{t("Next:")} <time dateTime={show.next_performance_at}>{dateTime(show.next_performance_at)}</time></span>}
                    {show.price_from_cents !== null && show.price_from_cents !== undefined && (
                      <span>{t("From {price}", { price: money(show.price_from_cents, show.currency) })}</span>
                    )}
                  </p>
                </li>
              ))}
            </ul>
            {(shows.data.previous || shows.data.next) && (
              <nav class="pager" aria-label={t("Pages")}>
                {shows.data.previous && <a class="button button-secondary" href={hrefFor({ ...query, page: (query.page || 1) - 1 })} rel="prev">{t("Previous")}</a>}
                {shows.data.next && <a class="button button-secondary" href={hrefFor({ ...query, page: (query.page || 1) + 1 })} rel="next">{t("Next")}</a>}
              </nav>
            )}
          </>
        )}
      </div>
    </section>
  );
}

function SearchForm({ query }: { query: ShowQuery }) {
  const [q, setQ] = useState(query.q || "");
  const [from, setFrom] = useState(query.from || "");
  const [to, setTo] = useState(query.to || "");
  const onSubmit = (event: Event) => {
    event.preventDefault();
    navigate(hrefFor({ q: q.trim() || undefined, from: from || undefined, to: to || undefined }));
  };
  return (
    <form class="search" role="search" onSubmit={onSubmit}>
      <div class="field field-grow">
        <label for="search-q">{t("Search")}</label>
        <input id="search-q" type="search" name="q" value={q} placeholder={t("Title or keyword")}
               onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="search-from">{t("From")}</label>
        <input id="search-from" type="date" name="from" value={from} max={to || undefined}
               onInput={(e) => setFrom(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="search-to">{t("To")}</label>
        <input id="search-to" type="date" name="to" value={to} min={from || undefined}
               onInput={(e) => setTo(e.currentTarget.value)} />
      </div>
      <button type="submit" class="button">{t("Search")}</button>
    </form>
  );
}
