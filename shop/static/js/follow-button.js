// Follow buttons ([data-follow] = the user id) on the note page and the empty Following feed:
// POST/DELETE the follow in place; a signed-out visitor goes to the login page.
import { t } from "/static/js/i18n.js";
import { api, toast } from "/static/js/app.js";

function paint(button, following) {
  button.setAttribute("aria-pressed", String(following));
  button.classList.toggle("button-ghost", following);
  button.textContent = following ? t("Following") : t("Follow");
}

export function setupFollowButtons(scope = document) {
  scope.querySelectorAll("button[data-follow]").forEach((button) => {
    button.addEventListener("click", async () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      button.disabled = true;
      try {
        const profile = await api(on ? "POST" : "DELETE", `/api/v1/users/${button.dataset.follow}/follow`);
        paint(button, profile.is_following);
      } catch (error) {
        if (error.status === 401) window.location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
        else toast(error.message);
      } finally {
        button.disabled = false;
      }
    });
  });
}
