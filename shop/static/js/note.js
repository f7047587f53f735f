// Note page: carousel dots, tag dots that open a product sheet, add to cart, like and save.
import { api, el, formatMoney, setCartCount, toast } from "/static/js/app.js";

const note = document.querySelector(".note");
const noteId = Number(note?.dataset.noteId);
const sheet = document.querySelector("[data-product-sheet]");
const backdrop = document.querySelector("[data-sheet-backdrop]");
const sheetBody = document.querySelector("[data-sheet-body]");
const template = document.getElementById("product-sheet-template");

const carousel = document.querySelector("[data-carousel]");
const dots = document.querySelectorAll("[data-carousel-dots] span");
carousel?.addEventListener("scroll", () => {
  const index = Math.round(carousel.scrollLeft / carousel.clientWidth);
  dots.forEach((dot, i) => dot.classList.toggle("active", i === index));
}, { passive: true });

function closeSheet() { sheet.hidden = true; backdrop.hidden = true; }
backdrop?.addEventListener("click", closeSheet);
document.querySelector("[data-sheet-close]")?.addEventListener("click", closeSheet);
document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeSheet(); });

function renderProduct(product) {
  const fragment = template.content.cloneNode(true);
  const image = product.images[0];
  if (image) fragment.querySelector(".sheet-image").src = image.url;
  fragment.querySelector(".sheet-merchant").textContent = product.merchant.name;
  fragment.querySelector(".sheet-name").textContent = product.name;
  fragment.querySelector(".sheet-details").href = `/products/${product.id}?note=${noteId}`;
  const price = fragment.querySelector(".sheet-price");
  const stock = fragment.querySelector(".sheet-stock");
  const add = fragment.querySelector(".sheet-add");
  const options = fragment.querySelector(".variant-options");
  let selected = product.variants.find((v) => v.available > 0) || product.variants[0];

  function select(variant) {
    selected = variant;
    price.textContent = formatMoney(variant.price);
    stock.textContent = variant.available > 0 ? `${variant.available} in stock` : "Sold out";
    add.disabled = variant.available === 0;
    options.querySelectorAll(".variant-chip").forEach((chip) => {
      chip.classList.toggle("selected", Number(chip.dataset.variantId) === variant.id);
      chip.setAttribute("aria-checked", String(Number(chip.dataset.variantId) === variant.id));
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
      const cart = await api("POST", "/api/v1/cart/lines", {
        variant_id: selected.id, quantity: 1, source: { type: "note", id: noteId },
      });
      setCartCount(cart.item_count);
      toast("Added to cart");
      closeSheet();
    } catch (error) {
      toast(error.message);
    } finally {
      add.disabled = selected.available === 0;
    }
  });
  sheetBody.replaceChildren(fragment);
  select(selected);
}

async function openProduct(productId) {
  sheetBody.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  sheet.hidden = false;
  backdrop.hidden = false;
  try {
    renderProduct(await api("GET", `/api/v1/products/${productId}`));
  } catch (error) {
    sheetBody.replaceChildren(el("p", { class: "alert" }, error.message));
  }
}

document.querySelectorAll(".tag-dot").forEach((dot) => {
  dot.addEventListener("click", (event) => {
    event.stopPropagation();
    openProduct(dot.dataset.productId);
  });
});

document.querySelectorAll("[data-toggle]").forEach((button) => {
  button.addEventListener("click", async () => {
    const kind = button.dataset.toggle;
    const on = button.getAttribute("aria-pressed") !== "true";
    try {
      const result = await api(on ? "POST" : "DELETE", `/api/v1/notes/${noteId}/${kind}`);
      button.setAttribute("aria-pressed", String(result.active));
      button.classList.toggle("on", result.active);
      button.querySelector("[data-count]").textContent = String(result.count);
    } catch (error) {
      if (error.status === 401) window.location.href = `/login?next=/notes/${noteId}`;
      else toast(error.message);
    }
  });
});
