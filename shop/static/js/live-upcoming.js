// An upcoming room: when it starts, in the viewer's own time zone ("Tomorrow 20:00"), a live
// countdown on the server's clock, and the "Remind me" toggle.
import { api, toast } from "/static/js/app.js";
import { locale, t } from "/static/js/i18n.js";

const DAY_MS = 86400000;

function dayStart(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

// "Today 20:00", "Tomorrow 20:00", "Fri 20:00" within a week, else "12 Mar 20:00": local time.
// Words and formats follow the page's language (<html lang>), not the browser's: 周五 20:00, 3月12日 20:00.
export function startLabel(at, now = new Date()) {
  const lang = locale();
  const time = at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hour12: false });
  const days = Math.round((dayStart(at) - dayStart(now)) / DAY_MS);
  if (days === 0) return t("Today %(time)s", { time });
  if (days === 1) return t("Tomorrow %(time)s", { time });
  if (days > 1 && days < 7) return `${at.toLocaleDateString(lang, { weekday: "short" })} ${time}`;
  return `${at.toLocaleDateString(lang, { day: "numeric", month: "short" })} ${time}`;
}

// "1d 02:03:04" or "02:03:04": hours and minutes always shown, so a long wait never reads as "soon".
export function countdown(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n) => String(n).padStart(2, "0");
  const clock = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days ? t("%(days)sd %(clock)s", { days, clock }) : clock;
}

export class Upcoming {
  constructor(root, { streamId, now, badge }) {
    Object.assign(this, { root, streamId, now, badge });
    if (!root) return;
    const label = root.querySelector("[data-start-label]");
    this.startsAt = label ? new Date(label.getAttribute("datetime")) : null;
    if (this.startsAt) {
      label.textContent = startLabel(this.startsAt);
      badge.textContent = label.textContent;
      this.timer = setInterval(() => this.tick(), 1000);
      this.tick();
    }
    root.querySelector("[data-remind]")?.addEventListener("click", (event) => this.toggle(event.currentTarget));
  }

  tick() {
    const left = this.startsAt.getTime() - this.now();
    this.root.querySelector("[data-start-countdown]").textContent =
      left > 0 ? t("in %(time)s", { time: countdown(left) }) : t("Any moment now");
  }

  async toggle(button) {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.disabled = true;
    try {
      const answer = await api(on ? "POST" : "DELETE", `/api/v1/streams/${this.streamId}/reminder`);
      button.setAttribute("aria-pressed", String(answer.reminded));
      button.textContent = answer.reminded ? t("Reminder set") : t("Remind me");
      toast(answer.reminded ? t("We'll tell you when it starts") : t("Reminder removed"));
    } catch (error) {
      toast(error.message);
    } finally {
      button.disabled = false;
    }
  }

  started() {
    if (!this.root) return;
    clearInterval(this.timer);
    this.root.remove();
    this.root = null;
  }
}
