// Plays a stream's video: HLS through hls.js (Media Source Extensions), natively where the browser
// plays HLS itself (Safari, iOS), or a plain file (the demo's looping clip). It reports one state:
//   "loading" → "playing" ⇄ "stalled" (the stream stopped feeding: "Reconnecting…"), or "offline"
//   (no playlist, or nothing new for a while: the poster shows and the player tries again).
import Hls from "/static/vendor/hls.js/hls.light.min.mjs";

const RETRY_MS = 4000;      // how often an offline player asks for the playlist again
const STALL_MS = 1500;      // waiting longer than this shows "Reconnecting…"
const OFFLINE_MS = 12000;   // stalled this long: back to the poster until the stream returns

// Low latency for a live playlist of 1 s segments: start two segments behind the live edge, catch
// up a little faster than real time, never sit more than 6 s behind.
const LIVE = {
  enableWorker: false, lowLatencyMode: true, liveSyncDuration: 2, liveMaxLatencyDuration: 6,
  maxLiveSyncPlaybackRate: 1.25, backBufferLength: 30, manifestLoadingMaxRetry: 1, levelLoadingMaxRetry: 2,
};
const RECORDING = { enableWorker: false, startPosition: 0, backBufferLength: 60 };

const isPlaylist = (url) => new URL(url, location.href).pathname.endsWith(".m3u8");

export class VideoPlayer {
  constructor(video, url, { live = true, onState = () => {} } = {}) {
    Object.assign(this, { video, url, live, onState, hls: null, state: "", timers: {} });
    video.addEventListener("playing", () => { this.clear("stall"); this.clear("offline"); this.set("playing"); });
    video.addEventListener("waiting", () => this.stalled());
    video.addEventListener("ended", () => { if (this.live) this.offline(); });
    video.addEventListener("error", () => { if (!this.hls) this.offline(); });
  }

  start() {
    this.set("loading");
    const { video, url } = this;
    if (!isPlaylist(url)) { video.src = url; video.loop = this.live; this.play(); return; }
    if (Hls.isSupported()) {
      this.hls = new Hls(this.live ? LIVE : RECORDING);
      this.hls.on(Hls.Events.ERROR, (_event, data) => this.hlsError(data));
      this.hls.on(Hls.Events.MANIFEST_PARSED, () => this.play());
      this.hls.loadSource(url);
      this.hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      this.play();
    } else {
      this.set("unsupported");
    }
  }

  play() { this.video.play().catch(() => {}); }  // muted autoplay: allowed everywhere

  hlsError(data) {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR) { this.hls.recoverMediaError(); return; }
    this.offline();  // the playlist is missing (not live yet) or the network failed: try again later
  }

  stalled() {
    this.clear("stall");
    this.timers.stall = setTimeout(() => this.set("stalled"), STALL_MS);
    if (this.live && !this.timers.offline) this.timers.offline = setTimeout(() => this.offline(), OFFLINE_MS);
  }

  offline() {
    this.stop();
    this.set("offline");
    this.timers.retry = setTimeout(() => { delete this.timers.retry; this.start(); }, RETRY_MS);
  }

  stop() {
    Object.keys(this.timers).forEach((name) => this.clear(name));
    if (this.hls) { this.hls.destroy(); this.hls = null; }
  }

  clear(name) { clearTimeout(this.timers[name]); delete this.timers[name]; }

  set(state) { if (state !== this.state) { this.state = state; this.onState(state); } }

  // Seconds between the moment on screen and now, by the playlist's program date-times (the capture
  // time of each segment), or null without them. The viewer's clock against the server's: shown to
  // a tenth, never below zero.
  behindLive() {
    const shown = this.hls?.playingDate;
    return shown ? Math.max(0, (Date.now() - shown.getTime()) / 1000) : null;
  }

  // Seconds into the recording at a wall-clock time (ms), by the playlist's program date-times: the
  // recording may start after the stream did, or have a gap where the host reconnected.
  timeAt(epochMs) {
    const details = this.hls?.levels?.[0]?.details;
    const dated = (details?.fragments || []).filter((f) => f.programDateTime);
    if (!dated.length) return null;
    const found = dated.findLast((f) => f.programDateTime <= epochMs) || dated[0];
    return Math.max(0, found.start + Math.min(found.duration, (epochMs - found.programDateTime) / 1000));
  }
}
