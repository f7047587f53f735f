// The live room's socket: the first message is a snapshot, then every event in `seq` order.
// A gap in `seq` (this tab was dropped as a slow consumer, or the network blipped) asks the server
// to resume from the last event seen; a lost connection reconnects and starts from a new snapshot.
// Besides the counters, what the server says to this socket alone: errors, a command's answer, and a
// line the host's word list kept to its author. They carry no place in the room's sequence.
const UNSEQUENCED = new Set(["viewers", "likes", "stock", "error", "command_done"]);
const RESUME_RETRY_MS = 2000;

export class RoomSocket {
  constructor(streamId, { onMessage, onStatus = () => {} }) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.url = `${scheme}://${location.host}/live/streams/${streamId}/ws`;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.lastSeq = 0;
    this.clockOffset = 0;
    this.retries = 0;
    this.resumeAskedAt = 0;
    this.connect();
  }

  connect() {
    const ws = new WebSocket(this.url);
    ws.addEventListener("open", () => { this.retries = 0; this.onStatus(true); });
    ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => {
      this.onStatus(false);
      if (event.code === 4403 || event.code === 4404) return;  // refused for good: do not hammer
      const delay = Math.min(10000, 400 * 2 ** this.retries++) * (0.75 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    });
    this.ws = ws;
  }

  receive(message) {
    if (message.type === "snapshot") {
      this.lastSeq = message.seq;
      this.clockOffset = message.ts * 1000 - Date.now();  // countdowns follow the server's clock
    } else if (!UNSEQUENCED.has(message.type) && !message.only_visible_to_you && typeof message.seq === "number") {
      if (message.seq <= this.lastSeq) return;  // already applied
      if (message.seq > this.lastSeq + 1) return this.askToResume();
      this.lastSeq = message.seq;
      this.resumeAskedAt = 0;
    }
    this.onMessage(message);
  }

  askToResume() {
    if (Date.now() - this.resumeAskedAt < RESUME_RETRY_MS) return;  // one request covers the gap
    this.resumeAskedAt = Date.now();
    this.send({ type: "resume", after_seq: this.lastSeq });
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  now() { return Date.now() + this.clockOffset; }
}

export function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const rest = `${String(Math.floor((total % 3600) / 60)).padStart(hours ? 2 : 1, "0")}:${String(total % 60).padStart(2, "0")}`;
  return hours ? `${hours}:${rest}` : rest;
}
