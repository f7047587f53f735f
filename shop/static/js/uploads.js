// The image gate from the browser: one file to POST /api/v1/uploads (multipart, with the CSRF header).
// Resolves to {upload_id, url, width, height}; rejects with the gate's own words ("too large"…).
import { t } from "./i18n.js";
import { csrfToken } from "./app.js";

export async function uploadImage(file) {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch("/api/v1/uploads", {
    method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.fields?.file || data.message || t("Upload failed (%(status)s)", { status: response.status }));
  return data;
}
