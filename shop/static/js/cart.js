// Cart page: quantity edits apply as soon as the number changes, without a page reload.
import { api, formatMoney, setCartCount, toast } from "/static/js/app.js";

for (const form of document.querySelectorAll("[data-qty-form]")) {
  const line = form.closest("[data-line-id]");
  const input = form.querySelector("input[name=quantity]");
  input.addEventListener("change", async () => {
    try {
      const cart = await api("PATCH", `/api/v1/cart/lines/${line.dataset.lineId}`, { quantity: Number(input.value) });
      document.querySelector("[data-subtotal]").textContent = formatMoney(cart.subtotal);
      document.querySelector("[data-item-count]").textContent = String(cart.item_count);
      setCartCount(cart.item_count);
    } catch (error) {
      toast(error.message);
      const current = (await api("GET", "/api/v1/cart")).lines.find((l) => String(l.id) === line.dataset.lineId);
      if (current) input.value = String(current.quantity);
    }
  });
}
