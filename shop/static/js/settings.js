// Settings: choosing a photo uploads it at once (the Upload button stays for browsers without JS).
for (const input of document.querySelectorAll("input[data-autosubmit]")) {
  const form = input.form;
  const button = form.querySelector("[data-upload-button]");
  if (button) button.hidden = true;
  input.addEventListener("change", () => {
    if (input.files && input.files.length) form.requestSubmit();
  });
}
