// Starts Redoc on /schema from a file: the CSP runs no inline script.
const box = document.getElementById("redoc-container");
Redoc.init(box.dataset.specUrl, {}, box);
