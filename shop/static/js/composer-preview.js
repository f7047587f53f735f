// The preview, drawn from the form's state: the note as a feed card and as its page. Every piece of
// the author's text goes in through textContent (el's third argument), never as HTML.
import { t } from "./i18n.js";
import { el } from "./app.js";

// The feed's own icons, drawn by the server once (templates in the composer page).
function icon(name) {
  return document.querySelector(`template[data-icon="${name}"]`).content.firstElementChild.cloneNode(true);
}

function avatar(author) {
  const node = el("span", { class: "avatar avatar-xs", style: `--hue: ${(author.id * 47) % 360}` });
  if (author.avatar_url) node.append(el("img", { src: author.avatar_url, alt: "" }));
  else node.textContent = author.display_name.slice(0, 1);
  return node;
}

function card(state, author) {
  const cover = state.images[0];
  const article = el("article", { class: "note-card preview-card" });
  const box = el("div", { class: "note-card-cover", style: cover ? `aspect-ratio: ${cover.width} / ${cover.height}` : "aspect-ratio: 3 / 4" });
  if (cover) box.append(el("img", { src: cover.url, alt: "" }));
  const products = new Set(state.images.flatMap((image) => image.tags.map((tag) => tag.product_id)));
  if (products.size) {
    const chip = el("span", { class: "chip chip-overlay" });
    chip.append(icon("bag"), String(products.size));
    box.append(chip);
  }
  const meta = el("footer", { class: "note-card-meta" });
  const who = el("span", { class: "author" });
  who.append(avatar(author), el("span", { class: "author-name" }, author.display_name));
  const likes = el("span", { class: "likes", "aria-label": "likes" });
  likes.append(icon("heart"), String(state.likes || 0));
  meta.append(who, likes);
  article.append(box, el("h3", { class: "note-card-title" }, state.title || t("Your title")), meta);
  return article;
}

function page(state, author, products) {
  const wrap = el("article", { class: "preview-page" });
  const strip = el("div", { class: "preview-slides" });
  for (const image of state.images) {
    const frame = el("figure", { class: "slide-frame preview-frame", style: `--ar: ${image.width} / ${image.height}` });
    frame.append(el("img", { src: image.url, alt: "" }));
    for (const tag of image.tags) {
      const dot = el("span", { class: `tag-dot${tag.x >= 0.5 ? " tag-flip" : ""}`, style: `left: ${tag.x * 100}%; top: ${tag.y * 100}%` });
      dot.append(el("span", { class: "tag-pin" }), el("span", { class: "tag-label" }, products.get(tag.product_id)?.name || t("Product")));
      frame.append(dot);
    }
    strip.append(frame);
  }
  const who = el("p", { class: "author" });
  who.append(avatar(author), el("strong", {}, author.display_name));
  const text = el("div", { class: "note-text" });
  text.append(el("h3", { class: "note-title" }, state.title || t("Your title")), el("p", { class: "note-body" }, state.body));
  if (state.topics.length) text.append(el("p", { class: "note-topics" }, state.topics.map((t) => `#${t}`).join(" ")));
  wrap.append(strip, who, text);
  return wrap;
}

export function renderPreview(target, mode, state, author, products) {
  target.replaceChildren(mode === "page" ? page(state, author, products) : card(state, author));
}
