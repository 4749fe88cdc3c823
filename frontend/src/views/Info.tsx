/** Info pages (visiting, accessibility, FAQ…) and their attachments. */

import { api, ApiError } from "../api";
import { dateTime, fileSize } from "../format";
import { t } from "../i18n";
import { Empty, ErrorState, Loading, PageTitle, useResource } from "./common";
import { NotFound } from "./NotFound";

export function InfoList() {
  const [pages, reload] = useResource((signal) => api.infoPages(signal), []);
  return (
    <section aria-labelledby="page-title">
      <PageTitle title={t("Information")}>{t("Information")}</PageTitle>
      {pages.state === "loading" && <Loading />}
      {pages.state === "error" && <ErrorState error={pages.error} retry={reload} />}
      {pages.state === "ok" && (pages.data.results.length === 0 ? <Empty>{t("No information pages yet.")}</Empty> : (
        <ul class="cards" role="list">
          {pages.data.results.map((page) => (
            <li class="card" key={page.slug}>
              <h2><a href={`/info/${encodeURIComponent(page.slug)}`}>{page.title}</a></h2>
              {page.summary && <p>{page.summary}</p>}
            </li>
          ))}
        </ul>
      ))}
    </section>
  );
}

export function InfoPage({ slug }: { slug: string }) {
  const [page, reload] = useResource((signal) => api.infoPage(slug, signal), [slug]);
  if (page.state === "loading") return <Loading />;
  if (page.state === "error") {
    if (page.error instanceof ApiError && page.error.status === 404) return <NotFound />;
    return <ErrorState error={page.error} retry={reload} />;
  }
  const data = page.data;
  return (
    <article aria-labelledby="page-title">
      <p class="crumbs"><a href="/info">{t("← Information")}</a></p>
      <PageTitle title={data.title}>{data.title}</PageTitle>
      {/* body_html is sanitized by the server (nh3), the one place HTML is allowed in. */}
      <div class="prose" dangerouslySetInnerHTML={{ __html: data.body_html }} />
      {data.attachments.length > 0 && (
        <section aria-labelledby="attachments">
          <h2 id="attachments">{t("Downloads")}</h2>
          <ul class="attachments">
            {data.attachments.map((a) => (
              <li key={a.url}><a href={a.url} download data-external>{a.name}</a> <span class="meta">({fileSize(a.size)})</span></li>
            ))}
          </ul>
        </section>
      )}
      <p class="meta">{t("Updated")} <time dateTime={data.updated_at}>{dateTime(data.updated_at)}</time></p>
    </article>
  );
}
