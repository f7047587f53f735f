// Translating what people wrote (POST /api/v1/translate). Every translated text is set with
// textContent: a provider's answer is plain text and is never parsed as HTML.
//
// Notes and comments: a [data-translate] link (templates/components/translate.html) names an item
// (data-kind, data-id); the texts it swaps are the elements marked data-translatable="kind:id:part".
// Chat: the [data-translate-chat] toggle follows the room's [data-chat] list; new lines are
// translated in batches while it is on. Live code may also drive it: chatTranslator(streamId, list).
import { api, toast } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";

const BATCH = 50;  // the API's most items per call
const BATCH_MS = 250;

// The reader's language, from <html lang> (the page's locale): "zh…" reads Chinese, else English.
export function readerLanguage() {
  return (document.documentElement.lang || "en").toLowerCase().startsWith("zh") ? "zh_Hans" : "en";
}

// The label names the language the text was written in, in the reader's language (the catalog's).
export function translatedLabel(source) {
  return source === "en" ? t("Translated from English · Show original") : t("Translated from Chinese · Show original");
}

// One call; answers the API's items ({kind, id | stream_id+seq, part, status, text, source, reason}).
export async function translateItems(items, target = readerLanguage()) {
  const answer = await api("POST", "/api/v1/translate", { items, target });
  return answer.items;
}

// A text element that can show its translation or its original (its original nodes are kept, so
// a note body's #topic links come back with it).
class Swappable {
  constructor(element) {
    this.element = element;
    this.original = Array.from(element.childNodes, (node) => node.cloneNode(true));
    this.translation = null;
  }

  showTranslation() {
    if (this.translation !== null) this.element.textContent = this.translation;
    this.element.classList.toggle("is-translated", this.translation !== null);
  }

  showOriginal() {
    this.element.replaceChildren(...this.original.map((node) => node.cloneNode(true)));
    this.element.classList.remove("is-translated");
  }
}

function swappables(kind, id) {
  const found = new Map();
  for (const element of document.querySelectorAll(`[data-translatable^="${kind}:${Number(id)}:"]`)) {
    found.set(element.dataset.translatable.split(":")[2], new Swappable(element));
  }
  return found;
}

function signInFirst(error) {
  if (error.status !== 401) return false;
  window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  return true;
}

function bindLink(link) {
  if (link.dataset.translateBound) return;
  link.dataset.translateBound = "true";
  const { kind, id } = link.dataset;
  let parts = null;
  let showing = false;
  link.addEventListener("click", async () => {
    if (showing) {
      parts.forEach((part) => part.showOriginal());
      link.textContent = t("Translate");
      showing = false;
      return;
    }
    if (parts === null) {
      link.disabled = true;
      try {
        const items = await translateItems([{ kind, id: Number(id) }]);
        parts = swappables(kind, id);
        let source = null;
        for (const item of items) {
          const part = parts.get(item.part);
          if (part && item.status === "translated") {
            part.translation = item.text;
            source = source || item.source;
          }
        }
        if (!source && items.some((item) => item.status === "failed")) {
          parts = null;  // the provider failed: the original stays, and the next click asks again
          toast(t("Translation is not available right now."));
          return;
        }
        link.dataset.source = source || "";
      } catch (error) {
        if (!signInFirst(error)) toast(error.message || t("Translation is not available right now."));
        return;
      } finally {
        link.disabled = false;
      }
    }
    if (!link.dataset.source) {  // nothing to translate: already in the reader's language
      link.hidden = true;
      return;
    }
    parts.forEach((part) => part.showTranslation());
    link.textContent = translatedLabel(link.dataset.source);
    showing = true;
  });
}

// The per-viewer chat toggle: while on, every chat line (those shown and those arriving) is
// translated in batches of at most BATCH; off puts the originals back.
export function chatTranslator(streamId, list) {
  const lines = new Map();  // seq -> {swap, state: "queued" | "asked" | "done"}
  let on = false;
  let timer = null;

  function track(item) {
    const seq = Number(item.dataset?.seq);
    const text = item.querySelector?.(".chat-text");
    if (!seq || !text || lines.has(seq)) return;
    lines.set(seq, { swap: new Swappable(text), state: "queued" });
    if (on) schedule();
  }

  function schedule() {
    if (timer === null) timer = setTimeout(flush, BATCH_MS);
  }

  async function flush() {
    timer = null;
    const queued = [...lines].filter(([, line]) => line.state === "queued" && line.swap.element.isConnected);
    const batch = queued.slice(0, BATCH);
    if (!on || batch.length === 0) return;
    batch.forEach(([, line]) => { line.state = "asked"; });
    if (queued.length > BATCH) schedule();
    try {
      const items = await translateItems(batch.map(([seq]) => ({ kind: "chat", stream_id: streamId, seq })));
      for (const item of items) {
        const line = lines.get(item.seq);
        if (!line) continue;
        line.state = "done";
        if (item.status !== "translated") continue;
        line.swap.translation = item.text;
        line.swap.element.title = item.source === "en" ? t("Translated from English") : t("Translated from Chinese");
        if (on) line.swap.showTranslation();
      }
    } catch (error) {
      // A line deleted meanwhile (404) or a limit: these lines stay as written.
      batch.forEach(([, line]) => { line.state = "done"; });
      if (error.status !== 404) toast(error.message || t("Translation is not available right now."));
    }
  }

  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(track);
    for (const [seq, line] of lines) if (!line.swap.element.isConnected) lines.delete(seq);
  }).observe(list, { childList: true });
  list.querySelectorAll("[data-seq]").forEach(track);

  return {
    get on() { return on; },
    set(value) {
      on = Boolean(value);
      for (const line of lines.values()) {
        if (on) line.swap.showTranslation(); else line.swap.showOriginal();
      }
      if (on) schedule();
    },
  };
}

function bindChatToggle(toggle) {
  const room = toggle.closest("[data-room]") || document.querySelector("[data-room]");
  const list = room?.querySelector("[data-chat]");
  if (!list) return;
  const chat = chatTranslator(Number(room.dataset.streamId), list);
  toggle.addEventListener("click", () => {
    chat.set(!chat.on);
    toggle.setAttribute("aria-pressed", String(chat.on));
    toggle.textContent = chat.on ? t("Show original chat") : t("Translate chat");
  });
}

// Links added after load (a comment just posted, a page of replies) are bound by calling this.
export function bindTranslateLinks(root = document) {
  root.querySelectorAll("[data-translate]").forEach(bindLink);
}

bindTranslateLinks();
document.querySelectorAll("[data-translate-chat]").forEach(bindChatToggle);
