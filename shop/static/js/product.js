// Product page: the price and stock follow the chosen variant.
const form = document.querySelector("[data-buy-form]");
const price = document.querySelector("[data-price]");
const stock = document.querySelector("[data-stock]");

function update() {
  const chosen = form?.querySelector("input[name=variant_id]:checked");
  if (!chosen) return;
  price.textContent = chosen.dataset.price;
  const left = Number(chosen.dataset.available);
  stock.textContent = left > 0 ? `${left} in stock` : "Sold out";
  form.querySelector("input[name=quantity]").max = String(Math.min(left, 99));
}
form?.addEventListener("change", update);
update();
