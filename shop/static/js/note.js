// Note page: the carousel, tag dots that open a product sheet, add to cart, like, save, follow, comments.
import { api, toast } from "/static/js/app.js";
import { setupCarousel } from "/static/js/carousel.js";
import { setupComments } from "/static/js/comments.js";
import { track } from "/static/js/events.js";
import { setupFollowButtons } from "/static/js/follow-button.js";
import { openProductSheet } from "/static/js/product-sheet.js";

const note = document.querySelector(".note");
const noteId = Number(note?.dataset.noteId);
const sheet = document.querySelector("[data-product-sheet]");
const backdrop = document.querySelector("[data-sheet-backdrop]");
const sheetBody = document.querySelector("[data-sheet-body]");
const template = document.getElementById("product-sheet-template");

if (note) {
  track("note_view", { note_id: noteId });
  setupCarousel(note);
  setupComments(note);
  setupFollowButtons(note);
}

function closeSheet() { sheet.hidden = true; backdrop.hidden = true; }
backdrop?.addEventListener("click", closeSheet);
document.querySelector("[data-sheet-close]")?.addEventListener("click", closeSheet);
document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeSheet(); });

async function openProduct(productId) {
  sheet.hidden = false;
  backdrop.hidden = false;
  await openProductSheet(sheetBody, template, productId, {
    source: { type: "note", id: noteId },
    detailsHref: `/products/${productId}?note=${noteId}`,
    onAdded: closeSheet,
  });
}

document.querySelectorAll(".tag-dot").forEach((dot) => {
  dot.addEventListener("click", (event) => {
    event.stopPropagation();
    track("tag_tap", { note_id: noteId, product_id: dot.dataset.productId });
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
