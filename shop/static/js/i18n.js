// The JS modules' strings in the page's language. base.html embeds the catalog (msgid -> text) as
// JSON in <script id="i18n">, built from the same .po files as the pages; English is the msgids.
// t("Saved %(n)s", { n: 3 }) fills "%(name)s" placeholders like the server's gettext; a third argument
// is the msgctxt where one English word reads two ways (t("Sold out", null, "live") is 已抢光).
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

export function t(message, values, context) {
  const text = (context && load()[`${context}\u0004${message}`]) || load()[message] || message;
  if (!values) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function locale() {
  return document.documentElement.lang || "en";
}
