// The note carousel: swipe (native scroll-snap), prev/next arrows, clickable dots, arrow keys,
// and tag labels kept fully on the picture.

function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

export function setupCarousel(root) {
  const carousel = root.querySelector("[data-carousel]");
  if (!carousel) return;
  const slides = carousel.querySelectorAll(".slide");
  const dots = root.querySelectorAll("[data-carousel-dots] button");
  const prev = root.querySelector('[data-carousel-step="-1"]');
  const next = root.querySelector('[data-carousel-step="1"]');
  const current = () => clamp(Math.round(carousel.scrollLeft / (carousel.clientWidth || 1)), 0, slides.length - 1);

  function show(index) {
    const target = clamp(index, 0, slides.length - 1);
    carousel.scrollTo({ left: target * carousel.clientWidth, behavior: "smooth" });
  }

  function mark() {
    const index = current();
    dots.forEach((dot, i) => {
      dot.classList.toggle("active", i === index);
      if (i === index) dot.setAttribute("aria-current", "true");
      else dot.removeAttribute("aria-current");
    });
    if (prev) prev.disabled = index === 0;
    if (next) next.disabled = index === slides.length - 1;
  }

  carousel.addEventListener("scroll", mark, { passive: true });
  dots.forEach((dot, i) => dot.addEventListener("click", () => show(i)));
  for (const button of [prev, next]) {
    button?.addEventListener("click", () => show(current() + Number(button.dataset.carouselStep)));
  }
  carousel.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      show(current() + (event.key === "ArrowRight" ? 1 : -1));
    }
  });
  mark();
  setupTagLabels(carousel);
}

const GAP = 6;  // px kept between a label and the frame's edge
const REACH = 20;  // a label starts 34px from its 28px dot's left edge: 20px past the dot's centre

// A label goes on the roomier side of its dot (right or left); if it is still too long it narrows
// (ellipsis), and it shifts up or down so it never leaves the image.
function placeLabel(dot, frame) {
  const label = dot.querySelector(".tag-label");
  if (!label) return;
  label.style.maxWidth = "";
  const box = frame.getBoundingClientRect();
  const pin = dot.getBoundingClientRect();
  const cx = pin.left + pin.width / 2;
  const cy = pin.top + pin.height / 2;
  const roomRight = box.right - GAP - (cx + REACH);
  const roomLeft = cx - REACH - box.left - GAP;
  const right = roomRight >= roomLeft;
  dot.classList.toggle("tag-flip", !right);
  const room = Math.floor(right ? roomRight : roomLeft);
  if (label.offsetWidth > room) label.style.maxWidth = `${Math.max(0, room)}px`;
  const half = label.offsetHeight / 2;
  const dy = clamp(0, box.top + GAP - (cy - half), box.bottom - GAP - (cy + half));
  label.style.setProperty("--dy", `${Math.round(dy)}px`);
}

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

function within(rect, box) {
  return rect.left >= box.left && rect.right <= box.right && rect.top >= box.top && rect.bottom <= box.bottom;
}

// Dots near each other can stack their labels: each label in turn tries its side, the other side,
// then rows below and above, and takes the first spot on the image that is clear of the others.
function separate(dots, frame) {
  const box = frame.getBoundingClientRect();
  const placed = [];
  const pins = [...dots].map((dot) => dot.querySelector(".tag-pin").getBoundingClientRect());
  for (const dot of dots) {
    const label = dot.querySelector(".tag-label");
    if (!label) continue;
    const flip = dot.classList.contains("tag-flip");
    const dy = Number.parseFloat(label.style.getPropertyValue("--dy")) || 0;
    const step = label.offsetHeight + 4;
    const put = (side, shift) => {
      dot.classList.toggle("tag-flip", side);
      label.style.setProperty("--dy", `${Math.round(shift)}px`);
      return label.getBoundingClientRect();
    };
    const find = (clear) => {
      for (const k of [0, 1, -1, 2, -2, 3, -3]) {
        for (const side of [flip, !flip]) {
          const rect = put(side, dy + k * step);
          if (within(rect, box) && clear(rect)) return rect;
        }
      }
      return null;
    };
    const hits = (obstacles) => (rect) => !obstacles.some((other) => overlaps(rect, other));
    // Clear of labels and dots; on a crowded picture, at least clear of the other labels.
    const spot = find(hits([...placed, ...pins])) || find(hits(placed));
    placed.push(spot || put(flip, dy));
  }
}

function setupTagLabels(carousel) {
  const frames = carousel.querySelectorAll(".slide-frame");
  const layout = (frame) => {
    const dots = frame.querySelectorAll(".tag-dot");
    dots.forEach((dot) => placeLabel(dot, frame));
    separate(dots, frame);
  };
  const all = () => frames.forEach(layout);
  // The frame is sized by CSS before the image loads; fonts and resizes change the label widths.
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => layout(entry.target)));
  frames.forEach((frame) => observer.observe(frame));
  document.fonts?.ready.then(all);
  window.addEventListener("load", all);
}
