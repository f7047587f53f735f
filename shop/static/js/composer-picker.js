// The product picker: a searchable list of the products this author may tag (the studio's API).
import { t } from "./i18n.js";
import { api, el, formatMoney, toast } from "./app.js";

export function productPicker(dialog) {
  const input = dialog.querySelector("[data-picker-q]");
  const list = dialog.querySelector("[data-picker-list]");
  const more = dialog.querySelector("[data-picker-more]");
  let resolve = null;
  let cursor = null;
  let timer;
  let asked = 0;  // answers to older searches are dropped

  async function load(append) {
    const ticket = ++asked;
    const params = new URLSearchParams({ limit: "20" });
    if (input.value.trim()) params.set("q", input.value.trim());
    if (append && cursor) params.set("cursor", cursor);
    let page;
    try {
      page = await api("GET", `/api/v1/studio/taggable-products?${params}`);
    } catch (error) {
      toast(error.message);
      return;
    }
    if (ticket !== asked) return;
    if (!append) list.replaceChildren();
    for (const product of page.items) list.append(row(product));
    if (!list.children.length) list.append(el("li", { class: "muted picker-empty" }, t("No products match.")));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }

  function row(product) {
    const button = el("button", { type: "button", class: "picker-item", "data-product-id": String(product.id) });
    const image = product.image ? el("img", { src: product.image.url, alt: "", width: "44", height: "44" }) : el("span", { class: "picker-noimg" });
    const text = el("span", { class: "picker-text" });
    text.append(el("strong", {}, product.name), el("span", { class: "muted small" }, product.merchant.name));
    button.append(image, text);
    if (product.price) button.append(el("span", { class: "price" }, formatMoney(product.price)));
    button.addEventListener("click", () => close(product));
    return el("li", {}, undefined).appendChild(button).parentNode;
  }

  function close(product) {
    dialog.close();
    const done = resolve;
    resolve = null;
    if (done) done(product);
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => load(false), 200); });
  more.addEventListener("click", () => load(true));
  dialog.querySelector("[data-picker-cancel]").addEventListener("click", () => close(null));
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(null); });

  // Resolves with the chosen product, or null when the author cancels.
  return function pick() {
    input.value = "";
    load(false);
    dialog.showModal();
    input.focus();
    return new Promise((done) => { resolve = done; });
  };
}
