// The JS modules' strings in the page's language. base.html embeds the catalog (msgid -> text) as
// JSON in <script id="i18n">, built from the same .po files as the pages; English is the msgids.
// t("Saved %(n)s", { n: 3 }) fills "%(name)s" placeholders like the server's gettext.
let catalog;

function load() {
  if (catalog) return catalog;
  try {
    catalog = JSON.parse(document.getElementById("i18n")?.textContent || "{}") || {};
  } catch {
    catalog = {};
  }
  return catalog;
}

export function t(message, values) {
  const text = load()[message] || message;
  if (!values) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function locale() {
  return document.documentElement.lang || "en";
}
