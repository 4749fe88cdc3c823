// The sales dashboard: on the show's day, the check-in section reloads itself every 15
// seconds (a fragment rendered by the server), unless paused.
"use strict";

(() => {
  const section = document.querySelector("#check-in[data-refresh-url]");
  if (!section) return;
  const body = document.getElementById("check-in-body");
  const toggle = document.getElementById("refresh-toggle");
  const EVERY_MS = 15000;
  let on = true;

  async function refresh() {
    if (!on || document.hidden) return;
    try {
      const response = await fetch(section.dataset.refreshUrl, { credentials: "same-origin" });
      if (response.ok && !response.redirected) body.innerHTML = await response.text();
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }

  toggle.addEventListener("click", () => {
    on = !on;
    toggle.setAttribute("aria-pressed", String(on));
    if (on) refresh();
  });
  document.addEventListener("visibilitychange", refresh);
  setInterval(refresh, EVERY_MS);
})();
