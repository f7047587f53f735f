// Comments on the note page: hearts with counts, and "Reply" that points the composer at a comment.
import { t } from "/static/js/i18n.js";
import { api, toast } from "/static/js/app.js";

function toLogin() {
  window.location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
}

function setupLikes(list) {
  list.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-comment-like]");
    if (!button) return;
    const on = button.getAttribute("aria-pressed") !== "true";
    try {
      const result = await api(on ? "POST" : "DELETE", `/api/v1/comments/${button.dataset.commentLike}/like`);
      button.setAttribute("aria-pressed", String(result.active));
      button.classList.toggle("on", result.active);
      button.querySelector("[data-count]").textContent = String(result.count);
    } catch (error) {
      if (error.status === 401) toLogin();
      else toast(error.message);
    }
  });
}

function setupReplies(list, form) {
  const parent = form?.querySelector("[data-parent-id]");
  const banner = form?.querySelector("[data-replying]");
  const input = form?.querySelector("input[name=body]");
  function reset() {
    parent.value = "";
    banner.hidden = true;
    input.placeholder = t("Say something nice…");
  }
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-reply-to]");
    if (!button) return;
    if (!form) { toLogin(); return; }
    parent.value = button.dataset.replyTo;
    // textContent: a display name is user text.
    banner.querySelector("[data-replying-name]").textContent = `@${button.dataset.replyName}`;
    banner.hidden = false;
    input.placeholder = t("Reply to %(name)s…", { name: button.dataset.replyName });
    input.focus();
  });
  form?.querySelector("[data-reply-cancel]").addEventListener("click", () => { reset(); input.focus(); });
}

export function setupComments(root) {
  const list = root.querySelector(".comment-list");
  if (!list) return;
  setupLikes(list);
  setupReplies(list, root.querySelector("[data-comment-form]"));
}
