// #topics: chips for the chosen ones, suggestions (the most used topics) filtered as the author types.
import { api, el } from "./app.js";

const TOPIC = /^[\p{L}\p{N}_]{1,40}$/u;
const MAX_TOPICS = 10;

export function topicEditor(root, state, changed) {
  const input = root.querySelector("[data-topic-input]");
  const chips = root.querySelector("[data-topic-chips]");
  const suggestions = root.querySelector("[data-topic-suggestions]");
  let timer;
  let asked = 0;

  function add(raw) {
    const topic = raw.trim().replace(/^#+/, "").toLowerCase();
    if (!TOPIC.test(topic) || state.topics.includes(topic) || state.topics.length >= MAX_TOPICS) return false;
    state.topics.push(topic);
    input.value = "";
    render();
    suggest();
    changed();
    return true;
  }

  function render() {
    chips.replaceChildren(...state.topics.map((topic) => {
      const chip = el("li", { class: "topic-chip" }, `#${topic}`);
      const remove = el("button", { type: "button", class: "chip-remove", "aria-label": `Remove #${topic}` }, "×");
      remove.addEventListener("click", () => {
        state.topics = state.topics.filter((t) => t !== topic);
        render();
        changed();
      });
      chip.append(remove);
      return chip;
    }));
  }

  async function suggest() {
    const ticket = ++asked;
    const q = input.value.trim().replace(/^#+/, "");
    let found;
    try {
      found = await api("GET", `/api/v1/studio/topics?${new URLSearchParams({ q })}`);
    } catch {
      return;  // suggestions are a help; typing a topic still works without them
    }
    if (ticket !== asked) return;
    const fresh = found.items.filter((item) => !state.topics.includes(item.topic)).slice(0, 8);
    suggestions.replaceChildren(...fresh.map((item) => {
      const button = el("button", { type: "button", class: "topic-suggestion", "data-topic": item.topic }, `#${item.topic}`);
      button.addEventListener("click", () => { add(item.topic); input.focus(); });
      return el("li", {}).appendChild(button).parentNode;
    }));
  }

  input.addEventListener("input", () => {
    if (/[\s,，]$/.test(input.value) && add(input.value.replace(/[\s,，]+$/, ""))) return;
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();  // Enter adds the topic; it never submits the form
      add(input.value);
    } else if (event.key === "Backspace" && !input.value && state.topics.length) {
      state.topics.pop();
      render();
      changed();
    }
  });
  render();
  suggest();
  // A topic typed but not yet confirmed still counts when the note is saved.
  return { flush: () => { if (input.value.trim()) add(input.value); } };
}
