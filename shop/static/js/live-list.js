// The live list: upcoming start times in the viewer's own time zone ("Tomorrow 20:00").
import { startLabel } from "/static/js/live-upcoming.js";

for (const time of document.querySelectorAll("time[data-local-start]")) {
  time.textContent = startLabel(new Date(time.getAttribute("datetime")));
}
