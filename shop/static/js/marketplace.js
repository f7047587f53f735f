// The marketplace's Add to showcase / In showcase buttons: the API with the CSRF header, in place.
// Without this script each button is a plain form POST that comes back to the same card.
import { t } from "./i18n.js";
import { api, toast } from "./app.js";

function show(form, inShowcase) {
  form.elements.action.value = inShowcase ? "remove" : "add";
  const button = form.querySelector("[data-showcase-button]");
  button.textContent = inShowcase ? t("In showcase") : t("Add to showcase");
  button.setAttribute("aria-pressed", String(inShowcase));
  button.classList.toggle("button-ghost", inShowcase);
}

async function toggle(form) {
  const productId = Number(form.elements.product_id.value);
  const adding = form.elements.action.value === "add";
  try {
    if (adding) await api("POST", "/api/v1/me/showcase", { product_id: productId });
    else await api("DELETE", `/api/v1/me/showcase/${productId}`);
    show(form, adding);
    toast(adding ? t("Added to your showcase") : t("Removed from your showcase"));
  } catch (error) {
    if (!adding && error.status === 404) show(form, false);  // it was already out
    else toast(error.message);
  }
}

for (const form of document.querySelectorAll("[data-showcase-form]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("[data-showcase-button]");
    if (button.disabled) return;
    button.disabled = true;
    try { await toggle(form); } finally { button.disabled = false; }
  });
}
