// The checkout hold: "Held for you for 8:59 (until 14:32)" counting down in the viewer's own time
// zone. The server already wrote "Held for you for 9 min", so without JS the page still reads well.
import { locale, t } from "./i18n.js";
const holds = document.querySelectorAll("[data-hold][data-expires]");

function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

function tick() {
  let running = false;
  for (const hold of holds) {
    const expires = Date.parse(hold.dataset.expires);
    if (Number.isNaN(expires)) continue;
    const left = expires - Date.now();
    if (left <= 0) {
      hold.textContent = t("Your hold has ended: pay now and we will check the stock again.");
      hold.classList.add("hold-ended");
      continue;
    }
    running = true;
    const until = new Date(expires).toLocaleTimeString(locale(), { hour: "numeric", minute: "2-digit" });
    hold.textContent = t("Held for you for %(left)s (until %(until)s)", { left: clock(left), until });
  }
  if (running) window.setTimeout(tick, 1000 - (Date.now() % 1000));
}

if (holds.length) tick();
