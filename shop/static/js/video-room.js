// The room's video slot: muted autoplay with "Tap for sound", "Reconnecting…" while the stream
// stalls, the host's poster while there is no signal. The overlays sit above it and stay usable.
import { VideoPlayer } from "/static/js/video-player.js";

const stage = document.querySelector("[data-video-stage]");
const video = stage?.querySelector("[data-video]");
if (video && video.dataset.src) {
  const poster = stage.querySelector("[data-poster]");
  const status = stage.querySelector("[data-video-status]");
  const sound = stage.querySelector("[data-sound]");
  const player = new VideoPlayer(video, video.dataset.src, {
    live: true,
    onState(state) {
      stage.dataset.videoState = state;
      const showing = state === "playing" || state === "stalled";
      video.hidden = !showing;
      poster.hidden = showing;
      status.hidden = state !== "stalled";
      sound.hidden = !(showing && video.muted);
    },
  });
  sound.addEventListener("click", () => {
    video.muted = false;
    video.play().catch(() => {});
    sound.hidden = true;
  });
  player.start();
}
