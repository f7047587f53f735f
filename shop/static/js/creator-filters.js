// /partners/creators: a changed select applies the filters at once (the Apply button does without JS).
const form = document.querySelector("[data-creator-filters]");
if (form) {
  for (const select of form.querySelectorAll("select")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
}
