// Replay chapters: a tap on a chapter's time seeks the recording there.
const video = document.querySelector("[data-replay-video]");
document.querySelectorAll("[data-seek]").forEach((button) => button.addEventListener("click", () => {
  if (!video) return;
  video.currentTime = Number(button.dataset.seek);
  video.play().catch(() => {});
}));
