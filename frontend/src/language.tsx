/** The language switcher in the header, and the hook that re-renders the app on a switch. */

import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import { getSession, onSessionChange } from "./auth";
import { language, LANGUAGES, onLanguageChange, setLanguage, t, type Language } from "./i18n";

export function useLanguage(): Language {
  const [current, setCurrent] = useState(language());
  useEffect(() => onLanguageChange(setCurrent), []);
  return current;
}

/** The customer's account follows a choice made on this device (emails are in it). */
function storeOnAccount(chosen: Language): void {
  if (getSession()) api.setMyLanguage(chosen).catch(() => { /* kept on this device; next time */ });
}

let following = false;
/** Once: when someone signs in, their account learns the language they read Marquee in. */
function followSignIns(): void {
  if (following) return;
  following = true;
  onSessionChange((session) => {
    if (session) storeOnAccount(language());
  });
}

export function LanguageSwitcher() {
  const current = useLanguage();
  useEffect(followSignIns, []);
  const other: Language = current === "fr" ? "en" : "fr";
  const choose = () => {
    void setLanguage(other);
    storeOnAccount(other);
  };
  return (
    <button type="button" class="button button-secondary language-switch" onClick={choose}
            data-language={other}>
      <span class="visually-hidden">{t("Language:")} </span><span lang={other}>{LANGUAGES[other]}</span>
    </button>
  );
}
