// The dashboard's product form: photos go through the image gate as they are chosen (the composer's
// flow: POST /api/v1/uploads, then the form carries `u:<upload id>`), reorder with ‹ › or a drag,
// remove with ×; variant rows are added from a <template> and removed (new ones) or marked (saved ones).
// The form itself is a plain POST: the server validates and re-renders it with every error.
import { t } from "./i18n.js";
import { el } from "./app.js";
import { uploadImage } from "./uploads.js";

const form = document.querySelector("[data-product-form]");
const photos = form.querySelector("[data-product-images]");
const list = photos.querySelector("[data-image-list]");
const addLabel = photos.querySelector("[data-image-add]");
const max = Number(photos.dataset.max || 9);
const imageError = photos.querySelector('[data-error-for="images"]');

function showImageError(message) {
  imageError.textContent = message;
  imageError.hidden = !message;
}

function items() {
  return [...list.querySelectorAll("[data-image-ref]")];
}

function tool(label, text, onClick) {
  const button = el("button", { type: "button", class: "photo-tool", "aria-label": label }, text);
  button.addEventListener("click", onClick);
  return button;
}

function decorate(li) {
  li.draggable = true;
  li.querySelector(".photo-tools")?.remove();
  const tools = el("span", { class: "photo-tools" });
  tools.append(
    tool(t("Move photo left"), "‹", () => { li.previousElementSibling?.before(li); refresh(); }),
    tool(t("Remove photo"), "×", () => { li.remove(); refresh(); }),
    tool(t("Move photo right"), "›", () => { li.nextElementSibling?.after(li); refresh(); }),
  );
  tools.dataset.imageTools = "";
  li.append(tools);
  li.addEventListener("dragstart", (event) => { event.dataTransfer.setData("text/x-photo", String(items().indexOf(li))); });
  li.addEventListener("dragover", (event) => { if (event.dataTransfer.types.includes("text/x-photo")) event.preventDefault(); });
  li.addEventListener("drop", (event) => {
    event.preventDefault();
    const moved = items()[Number(event.dataTransfer.getData("text/x-photo"))];
    if (moved && moved !== li) (items().indexOf(moved) < items().indexOf(li) ? li.after(moved) : li.before(moved));
    refresh();
  });
}

function refresh() {
  items().forEach((li, index) => {
    const [left, , right] = li.querySelectorAll(".photo-tool");
    left.disabled = index === 0;
    right.disabled = index === items().length - 1;
    li.querySelector("img").alt = (index === 0 ? t("Photo %(n)s (cover)", { n: index + 1 }) : t("Photo %(n)s", { n: index + 1 }));
  });
  addLabel.hidden = items().length >= max;
}

async function upload(file) {
  const li = el("li", { class: "image-item uploading", "data-image-ref": "" });
  li.append(el("img", { src: URL.createObjectURL(file), alt: "" }));
  const input = el("input", { type: "hidden", name: "image", value: "" });
  li.append(input);
  list.append(li);
  decorate(li);
  refresh();
  try {
    const data = await uploadImage(file);
    input.value = `u:${data.upload_id}`;
    li.dataset.imageRef = input.value;
    li.querySelector("img").src = data.url;
    li.classList.remove("uploading");
  } catch (error) {
    li.remove();
    showImageError(`${file.name}: ${error.message}`);
  }
  refresh();
}

photos.querySelector("[data-image-input]").addEventListener("change", (event) => {
  showImageError("");
  const files = [...event.target.files].filter((file) => file.type.startsWith("image/"));
  const room = max - items().length;
  if (files.length > room) showImageError(t("A product holds at most %(n)s photos.", { n: max }));
  files.slice(0, Math.max(0, room)).forEach(upload);
  event.target.value = "";
});

// --- variant rows ---------------------------------------------------------------------------------
const rows = form.querySelector("[data-variant-rows]");
const template = form.querySelector("[data-variant-template]");
let nextIndex = Number(rows.dataset.nextIndex || 0) + 1000;  // never reuses a server-rendered row's number

function wireRow(row) {
  const remove = row.querySelector("[data-remove-variant]");
  remove.addEventListener("change", () => {
    if (!row.dataset.variantId) { row.remove(); return; }  // a new row simply goes away
    row.classList.toggle("removing", remove.checked);
  });
}

form.querySelector("[data-add-variant]").addEventListener("click", () => {
  const html = template.innerHTML.replaceAll("__n__", String(nextIndex++));
  rows.insertAdjacentHTML("beforeend", html);
  const row = rows.lastElementChild;
  wireRow(row);
  row.querySelector("[data-variant-sku]").focus();
});

form.addEventListener("submit", (event) => {
  if (list.querySelector(".uploading")) {
    event.preventDefault();
    showImageError(t("Wait until the photos finish uploading."));
  }
});

rows.querySelectorAll("[data-variant-row]").forEach(wireRow);
items().forEach(decorate);
refresh();
