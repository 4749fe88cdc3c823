/** /auth/callback: finishes the PKCE sign-in and returns to the page the user was on. */

import { useEffect, useState } from "preact/hooks";
import { completeSignIn, signIn } from "../auth";
import { t } from "../i18n";
import { navigate } from "../router";
import { Loading, PageTitle } from "./common";

let started: Promise<string> | null = null; // one exchange per code, even if rendered twice

export function AuthCallback({ search }: { search: string }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    started ??= completeSignIn(search);
    started.then(
      (returnTo) => { started = null; navigate(returnTo, { replace: true }); },
      (e: Error) => { started = null; setError(e.message); },
    );
  }, [search]);
  if (!error) return <Loading label={t("Signing you in…")} />;
  return (
    <section aria-labelledby="page-title">
      <PageTitle title={t("Sign-in failed")}>{t("Sign-in failed")}</PageTitle>
      <div class="state state-error" role="alert">
        <p>{error}</p>
        <button type="button" class="button" onClick={() => void signIn("/")}>{t("Sign in again")}</button>
      </div>
    </section>
  );
}
