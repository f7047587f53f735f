// The host's camera: a preview (getUserMedia, choose the camera, flip front/back), and the broadcast
// — MediaRecorder's WebM chunks over the ingest socket, which the server cuts into HLS. The console
// shows the state (connecting, live, reconnecting) and the upload rate the server acknowledges. A
// dropped socket reconnects with the same publisher token, so the stream goes on. Where the site
// has a media server for encoders (RTMP), the panel shows its URL and this stream's key.
import { api, toast } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";

const panel = document.querySelector("[data-camera]");
const TIMESLICE_MS = 250;
const FRAME_BYTES = 16 * 1024;
const FATAL = {
  1003: t("not WebM"), 1009: t("chunk too large"), 1011: t("encoder failed"), 4403: t("refused"),
  4404: t("not your stream"), 4409: t("another device is broadcasting"), 4507: t("disk full"),
};
// The state's words on the label (data-state keeps the code for styles and tests).
const STATES = {
  off: t("off"), preview: t("preview"), connecting: t("connecting"), live: t("live"),
  reconnecting: t("reconnecting"), ended: t("ended"), stopped: t("stopped"),
};
const stateLabel = (state) => STATES[state] || state;
const token = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

const camera = {
  media: null, facing: "user", deviceId: "", ws: null, recorder: null, wanted: false,
  sent: { bytes: 0, at: 0 }, retryMs: 1000, ending: null,
};

function $(selector) { return panel.querySelector(selector); }
function notice(text) { $("[data-camera-notice]").textContent = text; }
function setState(state) {
  const label = $("[data-camera-state]");
  label.dataset.state = state;
  label.textContent = stateLabel(state);
  panel.dataset.state = state;
}

function mimeType() {
  return ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"].find((type) => MediaRecorder.isTypeSupported(type));
}

async function listCameras() {
  const select = $("[data-camera-select]");
  const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
  select.replaceChildren(...cameras.map((d, i) => new Option(d.label || t("Camera %(n)s", { n: i + 1 }), d.deviceId)));
  const current = camera.media?.getVideoTracks()[0]?.getSettings().deviceId;
  if (current) select.value = current;
  $("[data-camera-flip]").hidden = cameras.length < 2 && !/Android|iPhone|iPad/.test(navigator.userAgent);
}

async function openCamera() {
  camera.media?.getTracks().forEach((track) => track.stop());
  const video = camera.deviceId ? { deviceId: { exact: camera.deviceId } } : { facingMode: camera.facing };
  try {
    camera.media = await navigator.mediaDevices.getUserMedia({
      video: { ...video, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true,
    });
  } catch (error) {
    notice(t("The camera did not open: %(reason)s", { reason: error.message }));
    return;
  }
  const preview = $("[data-camera-preview]");
  preview.srcObject = camera.media;
  preview.style.setProperty("--mirror", camera.facing === "user" ? "-1" : "1");
  preview.play().catch(() => {});
  $("[data-broadcast]").disabled = false;
  $("[data-camera-open]").textContent = t("Camera on");
  if (!camera.wanted) setState("preview");
  await listCameras();
  if (camera.wanted) reconnect();  // new tracks, new recording: the server continues the playlist
}

function startRecorder() {
  camera.recorder = new MediaRecorder(camera.media, { mimeType: mimeType(), videoBitsPerSecond: 1_500_000, audioBitsPerSecond: 96_000 });
  camera.recorder.addEventListener("dataavailable", (event) => {
    if (!event.data.size || camera.ws?.readyState !== WebSocket.OPEN) return;
    // `python -m shop serve` caps a websocket frame at 16 KiB: a chunk goes as several frames, in order.
    for (let at = 0; at < event.data.size; at += FRAME_BYTES) camera.ws.send(event.data.slice(at, at + FRAME_BYTES));
  });
  camera.recorder.start(TIMESLICE_MS);
}

function stopRecorder() {
  if (camera.recorder && camera.recorder.state !== "inactive") camera.recorder.stop();
  camera.recorder = null;
}

function onMessage(message) {
  if (message.type === "state") {
    setState(message.state === "connecting" && camera.sent.bytes ? "reconnecting" : message.state);
    if (message.state === "ended") camera.ending?.();
  } else if (message.type === "ack") {
    const now = performance.now();
    if (camera.sent.at) {
      const kbps = ((message.bytes - camera.sent.bytes) * 8) / (now - camera.sent.at);
      $("[data-bitrate]").textContent = String(Math.max(0, Math.round(kbps)));
    }
    camera.sent = { bytes: message.bytes, at: now };
    camera.retryMs = 1000;
  } else if (message.type === "restarted" || message.type === "error") {
    notice(message.message);
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const streamId = panel.dataset.streamId;
  const ws = new WebSocket(`${scheme}://${location.host}/live/streams/${streamId}/ingest?publisher=${token}`);
  camera.ws = ws;
  camera.sent = { bytes: 0, at: 0 };
  ws.addEventListener("open", startRecorder);
  ws.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  ws.addEventListener("close", (event) => {
    if (camera.ws !== ws) return;  // replaced on purpose (a new camera)
    stopRecorder();
    camera.ws = null;
    if (event.code === 1000 || FATAL[event.code]) {
      camera.wanted = false;
      setState(event.code === 1000 ? "ended" : "stopped");
      if (FATAL[event.code]) notice(t("Broadcast stopped: %(reason)s.", { reason: event.reason || FATAL[event.code] }));
      $("[data-broadcast]").textContent = t("Broadcast");
      camera.ending?.();
    } else if (camera.wanted) {
      setState("reconnecting");
      setTimeout(() => { if (camera.wanted && !camera.ws) connect(); }, camera.retryMs);
      camera.retryMs = Math.min(camera.retryMs * 2, 8000);
    }
  });
}

function reconnect() {
  const old = camera.ws;
  camera.ws = null;
  stopRecorder();
  old?.close(4000, "new camera");
  connect();
}

export function broadcasting() { return camera.wanted; }

export function startBroadcast() {
  if (!camera.media || camera.wanted) return;
  camera.wanted = true;
  notice("");
  $("[data-broadcast]").textContent = t("Stop broadcast");
  setState("connecting");
  connect();
}

function stopBroadcast() {
  camera.wanted = false;
  const old = camera.ws;
  camera.ws = null;
  stopRecorder();
  old?.close(1000, "stopped");
  setState("preview");
  $("[data-broadcast]").textContent = t("Broadcast");
}

// The stream is ending: the server closes the recording (the replay's playlist ends here).
export function endBroadcast() {
  if (!camera.ws || camera.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
  camera.wanted = false;
  stopRecorder();
  return new Promise((resolve) => {
    camera.ending = resolve;
    camera.ws.send(JSON.stringify({ type: "end" }));
    setTimeout(resolve, 5000);
  });
}

if (panel) {
  setState("off");
  $("[data-camera-open]").addEventListener("click", openCamera);
  $("[data-camera-flip]").addEventListener("click", () => {
    camera.facing = camera.facing === "user" ? "environment" : "user";
    camera.deviceId = "";
    openCamera();
  });
  $("[data-camera-select]").addEventListener("change", (event) => { camera.deviceId = event.target.value; openCamera(); });
  $("[data-broadcast]").addEventListener("click", () => (camera.wanted ? stopBroadcast() : startBroadcast()));
}

async function showRtmp() {
  const box = $("[data-rtmp]");
  let rtmp;
  try { rtmp = await api("GET", `/api/v1/streams/${panel.dataset.streamId}/rtmp`); } catch { return; }  // not set up
  box.querySelector("[data-rtmp-url]").textContent = rtmp.ingest_url;
  box.querySelector("[data-rtmp-key]").textContent = rtmp.stream_key;
  box.hidden = false;
  box.querySelector("[data-rtmp-use]").addEventListener("click", async () => {
    try {
      await api("POST", `/api/v1/streams/${panel.dataset.streamId}/rtmp/use`);
      toast(t("Viewers now watch what your encoder sends."));
    } catch (error) { toast(error.message); }
  });
}

if (panel) showRtmp();

