// The composer: photos (upload as chosen, reorder, remove), product tags placed by tapping a photo,
// title, text and #topics, a live preview, then "Save draft" or "Publish" through the notes API.
import { t } from "./i18n.js";
import { api, el, toast } from "./app.js";
import { productPicker } from "./composer-picker.js";
import { renderPreview } from "./composer-preview.js";
import { topicEditor } from "./composer-topics.js";
import { uploadImage } from "./uploads.js";

const root = document.querySelector("[data-composer]");
const boot = JSON.parse(document.getElementById("composer-state").textContent);
const { limits, author } = boot;
const note = boot.note;
let keys = 0;
const products = new Map((note?.products || []).map((p) => [p.id, p]));
const state = {
  id: note?.id ?? null,
  status: note?.status ?? "draft",
  title: note?.title ?? "",
  body: note?.body ?? "",
  topics: [...(note?.topics ?? [])],
  likes: note?.like_count ?? 0,
  images: (note?.images ?? []).map((i) => ({
    key: ++keys, image_id: i.id, url: i.url, width: i.width, height: i.height, tags: i.tags.map((t) => ({ ...t })),
  })),
  current: 0,
};

const $ = (selector) => root.querySelector(selector);
const frame = $("[data-stage-frame]");
const stageImg = $("[data-stage-img]");
const strip = $("[data-photos]");
const tagList = $("[data-tag-list]");
const preview = $("[data-preview]");
const pick = productPicker($("[data-picker]"));
let previewMode = "card";

const clamp = (n) => Math.round(Math.min(1, Math.max(0, n)) * 10000) / 10000;
const tagCount = () => state.images.reduce((sum, image) => sum + image.tags.length, 0);
const nameOf = (id) => products.get(id)?.name || t("Product %(id)s", { id });

function showError(field, message) {
  const slot = $(`[data-error-for="${field}"]`) || $("[data-form-error]");
  slot.textContent = message;
  slot.hidden = false;
}

function clearErrors() {
  for (const slot of root.querySelectorAll("[data-error-for], [data-form-error]")) slot.hidden = true;
}

// --- photos -----------------------------------------------------------------------------------------
function addFiles(files) {
  clearErrors();
  const images = [...files].filter((file) => file.type.startsWith("image/"));
  const room = limits.images - state.images.length;
  if (images.length > room) showError("images", t("A note holds at most %(n)s photos.", { n: limits.images }));
  for (const file of images.slice(0, Math.max(0, room))) {
    const item = { key: ++keys, url: URL.createObjectURL(file), width: 3, height: 4, tags: [], uploading: true };
    const probe = new Image();  // the local copy shows at once, in its own shape, while it uploads
    probe.onload = () => { if (item.uploading) { item.width = probe.naturalWidth; item.height = probe.naturalHeight; render(); } };
    probe.src = item.url;
    state.images.push(item);
    upload(item, file);
  }
  render();
}

async function upload(item, file) {
  try {
    const data = await uploadImage(file);
    Object.assign(item, { upload_id: data.upload_id, url: data.url, width: data.width, height: data.height, uploading: false });
  } catch (error) {
    state.images = state.images.filter((image) => image !== item);
    showError("images", `${file.name}: ${error.message}`);
  }
  render();
}

function move(from, to) {
  if (to < 0 || to >= state.images.length || from === to) return;
  const current = state.images[state.current];
  const [image] = state.images.splice(from, 1);
  state.images.splice(to, 0, image);
  state.current = state.images.indexOf(current);
  render();
}

function removeImage(index) {
  const current = state.images[state.current];
  state.images.splice(index, 1);
  state.current = Math.max(0, state.images.indexOf(current));
  render();
}

function tool(label, text, onClick, disabled = false) {
  const button = el("button", { type: "button", class: "photo-tool", "aria-label": label }, text);
  button.disabled = disabled;
  button.addEventListener("click", onClick);
  return button;
}

function photoItem(image, index) {
  const li = el("li", { class: `photo${index === state.current ? " current" : ""}${image.uploading ? " uploading" : ""}`, draggable: "true" });
  const select = el("button", { type: "button", class: "photo-select", "aria-label": t("Show photo %(n)s", { n: index + 1 }) });
  select.append(el("img", { src: image.url, alt: "" }));
  if (image.tags.length) select.append(el("span", { class: "photo-tags" }, String(image.tags.length)));
  select.addEventListener("click", () => { state.current = index; render(); });
  const tools = el("span", { class: "photo-tools" });
  tools.append(
    tool(t("Move photo %(n)s left", { n: index + 1 }), "‹", () => move(index, index - 1), index === 0),
    tool(t("Remove photo %(n)s", { n: index + 1 }), "×", () => removeImage(index)),
    tool(t("Move photo %(n)s right", { n: index + 1 }), "›", () => move(index, index + 1), index === state.images.length - 1),
  );
  li.append(select, tools);
  // Desktop: drag a photo onto another's place.
  li.addEventListener("dragstart", (event) => { event.dataTransfer.setData("text/x-photo", String(index)); event.dataTransfer.effectAllowed = "move"; });
  li.addEventListener("dragover", (event) => { if (event.dataTransfer.types.includes("text/x-photo")) event.preventDefault(); });
  li.addEventListener("drop", (event) => {
    if (!event.dataTransfer.types.includes("text/x-photo")) return;
    event.preventDefault();
    event.stopPropagation();
    move(Number(event.dataTransfer.getData("text/x-photo")), index);
  });
  return li;
}

// --- tags ----------------------------------------------------------------------------------------------
function place(node, tag) {
  node.style.left = `${tag.x * 100}%`;
  node.style.top = `${tag.y * 100}%`;
  node.classList.toggle("tag-flip", tag.x >= 0.5);
}

function spot(event) {
  const rect = frame.getBoundingClientRect();
  return { x: clamp((event.clientX - rect.left) / rect.width), y: clamp((event.clientY - rect.top) / rect.height) };
}

function tagDot(tag) {
  const node = el("button", { type: "button", class: "tag-dot", "aria-label": `${nameOf(tag.product_id)}: drag to move, arrow keys nudge` });
  node.append(el("span", { class: "tag-pin" }), el("span", { class: "tag-label" }, nameOf(tag.product_id)));
  place(node, tag);
  node.addEventListener("pointerdown", (down) => {
    down.preventDefault();
    node.setPointerCapture(down.pointerId);
    const onMove = (event) => { Object.assign(tag, spot(event)); place(node, tag); };
    const onUp = () => {
      node.removeEventListener("pointermove", onMove);
      renderPreviewNow();
    };
    node.addEventListener("pointermove", onMove);
    node.addEventListener("pointerup", onUp, { once: true });
    node.addEventListener("pointercancel", onUp, { once: true });
  });
  node.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: [-0.02, 0], ArrowRight: [0.02, 0], ArrowUp: [0, -0.02], ArrowDown: [0, 0.02] }[event.key];
    if (!step) return;
    event.preventDefault();
    tag.x = clamp(tag.x + step[0]);
    tag.y = clamp(tag.y + step[1]);
    place(node, tag);
    renderPreviewNow();
  });
  return node;
}

// A tap (or click) on the photo tags that spot; "Add a tag" (keyboards) tags the middle, to nudge.
async function tagAt(event) {
  if (event.target.closest(".tag-dot")) return;
  await addTag(event.currentTarget === frame ? spot(event) : { x: 0.5, y: 0.5 });
}

async function addTag(where) {
  const image = state.images[state.current];
  if (!image) return;
  clearErrors();
  if (image.tags.length >= limits.tags_per_image) return showError("images", t("At most %(n)s products on one photo.", { n: limits.tags_per_image }));
  if (tagCount() >= limits.tags_per_note) return showError("images", t("At most %(n)s products in one note.", { n: limits.tags_per_note }));
  const pending = el("span", { class: "tag-dot tag-pending" });
  pending.append(el("span", { class: "tag-pin" }));
  place(pending, where);
  frame.append(pending);
  const product = await pick();
  pending.remove();
  if (!product) return;
  products.set(product.id, product);
  image.tags.push({ product_id: product.id, ...where });
  render();
}

function renderTags(image) {
  tagList.replaceChildren(...(image?.tags || []).map((tag, index) => {
    const li = el("li", { class: "tag-item" });
    li.append(el("span", { class: "tag-item-name" }, nameOf(tag.product_id)));
    const remove = el("button", { type: "button", class: "link-button danger", "aria-label": t("Remove tag %(name)s", { name: nameOf(tag.product_id) }) }, t("Remove"));
    remove.addEventListener("click", () => { image.tags.splice(index, 1); render(); });
    li.append(remove);
    return li;
  }));
}

// --- rendering -----------------------------------------------------------------------------------------
function renderPreviewNow() {
  renderPreview(preview, previewMode, state, author, products);
}

function render() {
  const image = state.images[state.current];
  $("[data-stage-empty]").hidden = Boolean(image);
  $("[data-stage-hint]").hidden = !image;
  $("[data-tag-center]").hidden = !image;
  $("[data-photo-add]").hidden = !image || state.images.length >= limits.images;
  frame.hidden = !image;
  if (image) {
    frame.style.setProperty("--ar", `${image.width} / ${image.height}`);
    stageImg.src = image.url;
    frame.replaceChildren(stageImg, ...image.tags.map(tagDot));
  }
  strip.replaceChildren(...state.images.map(photoItem));
  renderTags(image);
  renderPreviewNow();
}

// --- saving ----------------------------------------------------------------------------------------------
function payload(publish) {
  const body = { title: state.title, body: state.body, topics: state.topics };
  body.images = state.images.map((image) => ({
    ...(image.image_id ? { image_id: image.image_id } : { upload_id: image.upload_id }),
    tags: image.tags.map(({ product_id, x, y }) => ({ product_id, x, y })),
  }));
  if (!state.id) body.status = publish ? "published" : "draft";
  else if (publish && state.status === "draft") body.status = "published";
  const declared = root.querySelector("[data-disclosure-select]");
  if (boot.deal && !state.id) body.deal_id = boot.deal.id;  // the deal's label, never a typed one
  else if (declared) body.disclosure = declared.value ? { kind: declared.value } : null;
  return body;
}

function adopt(saved) {
  state.id = saved.id;
  state.status = saved.status;
  saved.images.forEach((image, index) => {
    Object.assign(state.images[index], { image_id: image.id, upload_id: undefined, url: image.url });
  });
  history.replaceState(null, "", `/studio/notes/${saved.id}/edit`);
}

function showErrors(error) {
  const fields = error.data?.fields;
  if (!fields || !Object.keys(fields).length) return showError("form", error.message);
  for (const [key, message] of Object.entries(fields)) showError(key.split(".")[0], message);
}

async function save(publish) {
  topics.flush();
  clearErrors();
  if (state.images.some((image) => image.uploading)) return showError("images", t("Wait until the photos finish uploading."));
  const buttons = root.querySelectorAll(".composer-actions button");
  for (const button of buttons) button.disabled = true;
  try {
    const body = payload(publish);
    const saved = state.id ? await api("PATCH", `/api/v1/notes/${state.id}`, body) : await api("POST", "/api/v1/notes", body);
    adopt(saved);
    if (publish) {
      // Written for a deal: back to the deal, where it is ready to submit for review.
      location.assign(boot.deal ? `/deals/${boot.deal.id}` : `/notes/${saved.id}`);
      return;
    }
    toast(t("Draft saved: only you can see it."));
  } catch (error) {
    showErrors(error);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

// --- wiring ----------------------------------------------------------------------------------------------
const titleInput = $("[data-title]");
const bodyInput = $("[data-body]");
titleInput.value = state.title;
bodyInput.value = state.body;
const count = () => { $("[data-title-count]").textContent = `${[...state.title].length}/100`; };
titleInput.addEventListener("input", () => { state.title = titleInput.value; count(); renderPreviewNow(); });
bodyInput.addEventListener("input", () => { state.body = bodyInput.value; renderPreviewNow(); });
const topics = topicEditor(root, state, renderPreviewNow);
for (const input of root.querySelectorAll("[data-file-input]")) {
  input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
}
const dropzone = $("[data-dropzone]");
dropzone.addEventListener("dragover", (event) => {
  if (!event.dataTransfer.types.includes("Files")) return;
  event.preventDefault();
  dropzone.classList.add("dragging");
});
dropzone.addEventListener("dragleave", () => dropzone.classList.remove("dragging"));
dropzone.addEventListener("drop", (event) => {
  dropzone.classList.remove("dragging");
  if (!event.dataTransfer.files.length) return;
  event.preventDefault();
  addFiles(event.dataTransfer.files);
});
frame.addEventListener("click", tagAt);
$("[data-tag-center]").addEventListener("click", tagAt);
for (const tab of root.querySelectorAll("[data-preview-tab]")) {
  tab.addEventListener("click", () => {
    previewMode = tab.dataset.previewTab;
    for (const other of root.querySelectorAll("[data-preview-tab]")) other.setAttribute("aria-selected", String(other === tab));
    renderPreviewNow();
  });
}
$("[data-save-draft]")?.addEventListener("click", () => save(false));
$("[data-publish]").addEventListener("click", () => save(true));
root.addEventListener("submit", (event) => event.preventDefault());
count();
render();
// Wired: a file chosen before this line would have been dropped, so tests (and scripts) wait for it.
root.dataset.ready = "";
