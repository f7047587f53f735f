// The "Ship to" chooser (templates/components/ship_to.html): a saved address or a new one. On the
// cart page it is part of the checkout form; in the live room's sheet `shipToBody` turns it into
// the checkout body (`address_id` or `shipping_address`), the same body the cart's API takes.
import { t } from "./i18n.js";
const FIELDS = ["name", "line1", "line2", "city", "region", "postal_code", "country"];

export function wireShipTo(root) {
  const fresh = root.querySelector("[data-ship-new]");
  const sync = () => {
    const chosen = root.querySelector("input[name=ship_to]:checked");
    const isNew = !chosen || chosen.value === "new";
    fresh.disabled = !isNew;  // a disabled fieldset is neither sent nor validated
    fresh.hidden = !isNew;
  };
  root.querySelectorAll("input[name=ship_to]").forEach((radio) => radio.addEventListener("change", sync));
  sync();
}

export function shipToBody(root) {
  const chosen = root.querySelector("input[name=ship_to]:checked");
  if (chosen && chosen.value !== "new") return { address_id: Number(chosen.value) };
  const address = {};
  for (const field of FIELDS) {
    const input = root.querySelector(`[name=ship_${field}]`);
    address[field] = input ? input.value : "";
  }
  return { shipping_address: address };
}

// "City: Remove control characters." from a 422's `fields` (`shipping_address.city`), else the message.
export function shipToProblem(error) {
  const fields = (error.data && error.data.fields) || {};
  const lines = Object.entries(fields).map(([key, text]) => `${key.replace(/^shipping_address\.?/, "") || t("Address")}: ${text}`);
  return lines.length ? lines.join(" ") : error.message;
}

for (const root of document.querySelectorAll("form [data-ship-to]")) wireShipTo(root);

// The live room's sheets: a copy of the page's <template id="ship-template"> in `slot`.
export function mountShipTo(slot) {
  const template = document.getElementById("ship-template");
  if (!slot || !template) return null;
  slot.replaceChildren(template.content.cloneNode(true));
  const root = slot.querySelector("[data-ship-to]");
  wireShipTo(root);
  return root;
}
