// The room's video slot: muted autoplay with "Tap for sound", "Reconnecting…" while the stream
// stalls, the host's poster while there is no signal. The overlays sit above it and stay usable.
import { t } from "/static/js/i18n.js";
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
  // How far behind live this viewer is, when the stream dates its segments (the camera's, the demo's
  // broadcast): the picture's burnt-in clock shows the same to the eye.
  const behind = document.querySelector("[data-behind-live]");
  setInterval(() => {
    const seconds = player.state === "playing" ? player.behindLive() : null;
    behind.hidden = seconds === null;
    if (seconds !== null) {
      behind.dataset.seconds = seconds.toFixed(1);
      behind.textContent = t("%(seconds)s s behind live", { seconds: seconds.toFixed(1) });
    }
  }, 1000);
}
