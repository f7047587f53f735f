// Follow forms (welcome, storefronts): call the JSON API in place instead of reloading the page.
// Without JS the same forms post to the page routes, which redirect back.
import { t } from "/static/js/i18n.js";
import { api, toast } from "/static/js/app.js";

function paint(form, following) {
  const button = form.querySelector("button");
  form.querySelector("input[name=on]").value = following ? "0" : "1";
  button.textContent = following ? t("Following") : t("Follow");
  button.classList.toggle("button-ghost", following);
  button.setAttribute("aria-pressed", String(following));
}

function showFollowers(userId, n) {
  // Matches counted(n, "follower") on the server; past 1,000 the server's "1.2k" text is kept.
  const count = document.querySelector(`[data-follower-count="${userId}"]`);
  if (count && n < 1000) count.textContent = `${n} follower${n === 1 ? "" : "s"}`;
}

for (const form of document.querySelectorAll("form[data-follow-form]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const on = form.querySelector("input[name=on]").value === "1";
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const profile = await api(on ? "POST" : "DELETE", `/api/v1/users/${form.dataset.userId}/follow`);
      paint(form, profile.is_following);
      showFollowers(form.dataset.userId, profile.follower_count);
    } catch (error) {
      toast(error.message);
    } finally {
      button.disabled = false;
    }
  });
}
