// Replay: the recording plays (HLS through hls.js, like the room, or a file), and a tap on a
// chapter's time seeks it to the second the product was pinned or its sale began. The recording may
// start later than the stream (the host turned the camera on after going live) or pause where the
// host reconnected: the playlist's program date-times place each chapter; without them the
// chapter's offset from the start is used.
import { VideoPlayer } from "/static/js/video-player.js";

const root = document.querySelector("[data-replay]");
const video = root.querySelector("[data-replay-video]");
if (video) {
  const missing = root.querySelector("[data-replay-missing]");
  const player = new VideoPlayer(video, video.dataset.src, {
    live: false,
    onState(state) {
      root.dataset.videoState = state;
      missing.hidden = state !== "offline";
    },
  });
  player.start();
  const startedAt = Number(root.dataset.startedAt) || null;
  root.querySelectorAll("[data-seek]").forEach((button) => button.addEventListener("click", () => {
    const offset = Number(button.dataset.seek);
    const at = (startedAt && player.timeAt(startedAt + offset * 1000)) ?? offset;
    video.currentTime = at;
    video.play().catch(() => {});
    root.querySelectorAll(".chapter").forEach((c) => c.classList.toggle("chapter-current", c.contains(button)));
  }));
}
