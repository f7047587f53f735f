// The console's chat panel: the room's chat with a delete, mute and block on every line, slow mode
// and comments-off, the host's blocked words, a box for messages and commands, and the action log.
// The server decides who may do what (moderators cannot touch the host or each other): this page
// only shows its answer. User text is set with textContent, never as HTML.
import { api, el, toast } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";

const MAX_LINES = 100;
const MUTES = [["30s", t("Mute 30 s")], ["5m", t("Mute 5 min")], ["stream", t("Mute for the stream")]];
const DURATIONS = { "30s": t("30 s"), "5m": t("5 min"), stream: t("the rest of the stream") };

// One line of the log in words: "muted Alex Rivera for 5 min".
function describe({ action, target, detail = {} }) {
  const who = target ? target.display_name : t("someone");
  const phrases = {
    delete: () => t("deleted a message by %(who)s", { who }),
    mute: () => t("muted %(who)s for %(duration)s", { who, duration: DURATIONS[detail.duration] || detail.duration }),
    unmute: () => t("unmuted %(who)s", { who }),
    block: () => t("blocked %(who)s from every stream of this host", { who }),
    unblock: () => t("unblocked %(who)s", { who }),
    hide: () => (detail.deleted == null ? t("hid the messages by %(who)s", { who })
      : t("hid %(count)s messages by %(who)s", { count: detail.deleted, who })),
    announce: () => t("announced: %(text)s", { text: detail.text }),
    chat_settings: () => (detail.comments_off ? t("turned comments off")
      : detail.slow_mode_s ? t("set slow mode to %(seconds)s s", { seconds: detail.slow_mode_s })
        : t("opened the chat (no slow mode)")),
    keywords: () => t("updated the blocked words (%(count)s)", { count: detail.count ?? 0 }),
    moderator_add: () => t("made %(who)s a moderator", { who }),
    moderator_remove: () => t("removed %(who)s as a moderator", { who }),
    keyword_blocked: () => t("wrote a line the blocked words kept to its author"),
  };
  return (phrases[action] || (() => action))();
}

export class ChatModeration {
  constructor(box, { streamId, send }) {
    this.box = box;
    this.streamId = streamId;
    this.send = send;
    this.list = box.querySelector("[data-console-chat]");
    this.base = `/api/v1/streams/${streamId}`;
    this.wireSettings();
    this.wireSayBox();
    this.wireKeywords();
    this.refreshLog();
  }

  handle(message) {
    const on = {
      snapshot: (m) => { this.list.replaceChildren(); (m.stream.chat || []).forEach((line) => this.addLine(line)); this.showSettings(m.stream.chat_settings); },
      chat: (m) => this.addLine(m),
      chat_deleted: (m) => { this.list.querySelector(`[data-seq="${Number(m.target_seq)}"]`)?.remove(); this.refreshLog(); },
      chat_settings: (m) => { this.showSettings(m); this.refreshLog(); },
      announcement: () => this.refreshLog(),
      command_done: (m) => { toast(m.message || t("Done")); this.refreshLog(); },
      error: (m) => toast(m.message),
    }[message.type];
    if (on) on(message);
  }

  addLine(line) {
    const item = el("li", { class: "console-chat-line", "data-seq": String(line.seq || ""), "data-user-id": String(line.user.id) });
    item.append(el("span", { class: "chat-author" }, line.user.display_name), el("span", { class: "chat-text" }, line.text));
    if (line.only_visible_to_you) item.append(el("span", { class: "chat-note" }, t("Held by your word list")));
    else item.append(this.lineActions(line));
    this.list.append(item);
    while (this.list.children.length > MAX_LINES) this.list.firstElementChild.remove();
    this.list.scrollTop = this.list.scrollHeight;
  }

  lineActions(line) {
    const actions = el("span", { class: "chat-actions" });
    const button = (label, attrs, run) => {
      const node = actions.appendChild(el("button", { type: "button", class: "link-button small", ...attrs }, label));
      node.addEventListener("click", () => this.act(run));
    };
    button(t("Delete"), { "data-delete": "" }, () => api("DELETE", `${this.base}/chat/${line.seq}`));
    for (const [duration, label] of MUTES) {
      button(label, { "data-mute": duration }, () => api("POST", `${this.base}/mutes`, { user_id: line.user.id, duration }));
    }
    button(t("Block"), { "data-block": "" }, () => api("POST", `${this.base}/blocks`, { user_id: line.user.id }));
    return actions;
  }

  async act(run) {
    try { await run(); toast(t("Done")); } catch (error) { toast(error.message); }
    this.refreshLog();
  }

  showSettings(settings) {
    const form = this.box.querySelector("[data-chat-settings]");
    const slow = String((settings && settings.slow_mode_s) || 0);
    if (![...form.elements.slow_mode_s.options].some((option) => option.value === slow)) form.elements.slow_mode_s.append(el("option", { value: slow }, t("%(seconds)s s", { seconds: slow })));
    form.elements.slow_mode_s.value = slow;
    form.elements.comments_off.checked = Boolean(settings && settings.comments_off);
  }

  wireSettings() {
    const form = this.box.querySelector("[data-chat-settings]");
    form.addEventListener("change", () => this.act(() => api("PUT", `${this.base}/chat-settings`, {
      slow_mode_s: Number(form.elements.slow_mode_s.value), comments_off: form.elements.comments_off.checked,
    })));
  }

  wireSayBox() {
    this.box.querySelector("[data-console-say]").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = event.target.elements.text;
      if (!input.value.trim()) return;
      if (this.send({ type: "chat", text: input.value.trim() })) input.value = ""; else toast(t("Reconnecting… try again in a moment."));
    });
  }

  wireKeywords() {
    const form = this.box.querySelector("[data-keywords-form]");
    if (!form) return;  // moderators see the host's rules applied, not the list itself
    api("GET", "/api/v1/live/keywords").then(({ words }) => { form.elements.words.value = words.join("\n"); }).catch(() => {});
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const words = form.elements.words.value.split("\n").map((word) => word.trim()).filter(Boolean);
      this.act(() => api("PUT", "/api/v1/live/keywords", { words }));
    });
  }

  async refreshLog() {
    let entries;
    try { entries = await api("GET", `${this.base}/moderation-log`); } catch (error) { return; }
    const rows = (Array.isArray(entries) ? entries : entries.items || []).map((entry) => {
      const row = el("li", { class: "mod-log-line", "data-action": entry.action });
      const when = new Date(entry.at).toISOString().slice(11, 19);
      row.append(el("time", { datetime: entry.at, class: "muted" }, when), " ",
        el("strong", {}, entry.actor ? entry.actor.display_name : "—"), ` ${describe(entry)}`);
      return row;
    });
    const log = this.box.querySelector("[data-mod-log]");
    log.replaceChildren(...rows);
    this.box.querySelector("[data-mod-log-empty]").hidden = rows.length > 0;
  }
}
