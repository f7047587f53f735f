// Masonry feed: cards are dealt into the shortest column, and more pages load on scroll.
import { el } from "/static/js/app.js";
import { setupFollowButtons } from "/static/js/follow-button.js";

setupFollowButtons();  // "Creators to follow" when the Following feed is empty

const feed = document.querySelector("[data-feed]");
const BAG_ICON = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 7h12l-1.2 11.2a2 2 0 0 1-2 1.8H9.2a2 2 0 0 1-2-1.8L6 7Zm3 0a3 3 0 0 1 6 0" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';
const HEART_ICON = '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10Z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>';

function columnCount() {
  const width = window.innerWidth;
  if (width >= 1280) return 5;
  if (width >= 1040) return 4;
  if (width >= 760) return 3;
  return 2;
}

function shortest(columns) {
  return columns.reduce((a, b) => (a.offsetHeight <= b.offsetHeight ? a : b));
}

function layout(cards) {
  feed.classList.add("masonry");
  feed.replaceChildren();
  const columns = Array.from({ length: columnCount() }, () => feed.appendChild(el("div", { class: "feed-col" })));
  for (const card of cards) shortest(columns).appendChild(card);
  return columns;
}

function buildCard(item) {
  const article = el("article", { class: "note-card", "data-note-id": String(item.id) });
  const link = article.appendChild(el("a", { href: `/notes/${item.id}`, class: "note-card-link" }));
  const cover = link.appendChild(el("div", { class: "note-card-cover" }));
  cover.style.aspectRatio = `${item.cover.width} / ${item.cover.height}`;
  cover.appendChild(el("img", { src: item.cover.url, width: item.cover.width, height: item.cover.height, alt: "", loading: "lazy" }));
  if (item.product_count) {
    const chip = cover.appendChild(el("span", { class: "chip chip-overlay" }));
    chip.innerHTML = BAG_ICON;  // a constant: no user text goes through innerHTML
    chip.append(String(item.product_count));
  }
  link.appendChild(el("h3", { class: "note-card-title" }, item.title));
  const meta = article.appendChild(el("footer", { class: "note-card-meta" }));
  const author = meta.appendChild(el("a", { class: "author", href: `/users/${item.author.id}` }));
  // The same markup as templates/components/avatar.html: the photo, else the initial on its hue.
  const avatar = author.appendChild(el("span", { class: "avatar avatar-xs" }));
  avatar.style.setProperty("--hue", String(item.author.avatar_hue ?? (item.author.id * 47) % 360));
  if (item.author.avatar_url) {
    avatar.classList.add("avatar-photo");
    avatar.appendChild(el("img", { src: item.author.avatar_url, alt: "", loading: "lazy" }));
  } else {
    avatar.textContent = item.author.display_name.slice(0, 1);
  }
  author.appendChild(el("span", { class: "author-name" }, item.author.display_name));
  const likes = meta.appendChild(el("span", { class: "likes" }));
  likes.innerHTML = HEART_ICON;
  likes.append(String(item.like_count));
  return article;
}

if (feed) {
  let cards = Array.from(feed.querySelectorAll(".note-card"));
  let columns = layout(cards);
  let cursor = feed.dataset.nextCursor;
  let loading = false;
  const sentinel = document.querySelector("[data-feed-sentinel]");
  const end = document.querySelector("[data-feed-end]");

  async function loadMore() {
    if (!cursor || loading) return;
    loading = true;
    const params = new URLSearchParams({ cursor, limit: "20" });
    for (const key of ["q", "topic", "author", "following"]) {
      if (feed.dataset[key]) params.set(key === "author" ? "author_id" : key, feed.dataset[key]);
    }
    try {
      const response = await fetch(`/api/v1/notes?${params}`, { headers: { Accept: "application/json" } });
      const page = await response.json();
      for (const item of page.items) {
        const card = buildCard(item);
        cards.push(card);
        shortest(columns).appendChild(card);
      }
      cursor = page.next_cursor;
      if (!cursor && end) end.hidden = false;
    } finally {
      loading = false;
    }
  }

  if (sentinel) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: "800px" }).observe(sentinel);
  }
  let lastCount = columnCount();
  window.addEventListener("resize", () => {
    if (columnCount() !== lastCount) { lastCount = columnCount(); columns = layout(cards); }
  });
}
