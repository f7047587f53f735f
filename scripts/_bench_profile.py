"""The app under uvicorn inside pyinstrument (`BENCH_PROFILE=DIR scripts/bench_flash_sale ...`).

Samples the whole main thread (the event loop included), so the profile shows where the server's
one core goes under load. On SIGTERM uvicorn shuts down, and the tree and the flat self-time list
are written to DIR/profile-<port>.txt and DIR/profile-<port>-flat.txt.

Usage: python scripts/_bench_profile.py DIR PORT
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import uvicorn
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's `shop`


def main() -> None:
    out, port = Path(sys.argv[1]), int(sys.argv[2])
    # uvicorn re-raises the SIGTERM it caught once it has shut down: exit through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    try:
        uvicorn.run(
            "shop.app:create_app",
            factory=True,
            host="127.0.0.1",
            port=port,
            ws_per_message_deflate=False,
            proxy_headers=False,
            access_log=False,
            log_level="warning",
        )
    finally:
        profiler.stop()
        out.mkdir(parents=True, exist_ok=True)
        (out / f"profile-{port}.txt").write_text(profiler.output_text(unicode=False, color=False))
        flat = ConsoleRenderer(flat=True, time="percent_of_total", unicode=False, color=False)
        (out / f"profile-{port}-flat.txt").write_text(profiler.output(flat))


if __name__ == "__main__":
    main()
