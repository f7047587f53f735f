// The bottom sheet that sells one product (from a note's tag or a live room): variant chips and
// "Add to cart", with the source (note or stream) remembered on the cart line.
import { t } from "/static/js/i18n.js";
import { api, el, formatMoney, setCartCount, toast } from "/static/js/app.js";
import { track } from "/static/js/events.js";

export function renderProductSheet(body, template, product, { source, detailsHref, onAdded }) {
  const fragment = template.content.cloneNode(true);
  const image = product.images[0];
  if (image) fragment.querySelector(".sheet-image").src = image.url;
  const merchant = fragment.querySelector(".sheet-merchant");
  if (merchant) merchant.textContent = product.merchant.name;
  fragment.querySelector(".sheet-name").textContent = product.name;
  fragment.querySelector(".sheet-details").href = detailsHref;
  const price = fragment.querySelector(".sheet-price");
  const stock = fragment.querySelector(".sheet-stock");
  const add = fragment.querySelector(".sheet-add");
  const options = fragment.querySelector(".variant-options");
  let selected = product.variants.find((v) => v.available > 0) || product.variants[0];

  // A suspended shop's products stay visible but cannot be bought (the API refuses them too).
  const unavailable = product.shop_status === "suspended";
  function select(variant) {
    selected = variant;
    price.textContent = formatMoney(variant.price);
    stock.textContent = unavailable ? t("This shop is unavailable")
      : variant.available > 0 ? t("%(n)s in stock", { n: variant.available }) : t("Sold out");
    add.disabled = unavailable || variant.available === 0;
    options.querySelectorAll(".variant-chip").forEach((chip) => {
      const on = Number(chip.dataset.variantId) === variant.id;
      chip.classList.toggle("selected", on);
      chip.setAttribute("aria-checked", String(on));
    });
  }
  for (const variant of product.variants) {
    const chip = options.appendChild(el("button", {
      type: "button", class: "variant-chip", role: "radio", "data-variant-id": String(variant.id),
    }, variant.name));
    chip.disabled = variant.available === 0;
    chip.addEventListener("click", () => select(variant));
  }
  add.addEventListener("click", async () => {
    add.disabled = true;
    try {
      const cart = await api("POST", "/api/v1/cart/lines", { variant_id: selected.id, quantity: 1, source });
      setCartCount(cart.item_count);
      const from = source?.type === "note" ? { note_id: source.id } : source?.type === "stream" ? { stream_id: source.id } : {};
      track("add_to_cart", { product_id: product.id, ...from });
      toast(t("Added to cart"));
      onAdded();
    } catch (error) {
      toast(error.message);
    } finally {
      add.disabled = unavailable || selected.available === 0;
    }
  });
  body.replaceChildren(fragment);
  if (selected) select(selected);
}

export async function openProductSheet(body, template, productId, options) {
  body.replaceChildren(el("p", { class: "muted" }, t("Loading…")));
  try {
    renderProductSheet(body, template, await api("GET", `/api/v1/products/${productId}`), options);
  } catch (error) {
    body.replaceChildren(el("p", { class: "alert" }, error.message));
  }
}
