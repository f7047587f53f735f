"""The app under uvicorn inside pyinstrument (`BENCH_PROFILE=DIR scripts/bench_flash_sale ...`).

Samples the whole main thread (the event loop included), so the profile shows where the server's
one core goes under load. On SIGTERM the tree and the flat self-time list
are written to DIR/profile-<port>.txt and DIR/profile-<port>-flat.txt.

Usage: python scripts/_bench_profile.py DIR PORT
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import FrameType

import uvicorn
from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's `shop`


def write(profiler: Profiler, out: Path, port: int) -> None:
    profiler.stop()
    out.mkdir(parents=True, exist_ok=True)
    if profiler.last_session is not None:  # for `pyinstrument --load` (other views, show_all)
        profiler.last_session.save(str(out / f"profile-{port}.pyisession"))
    (out / f"profile-{port}.txt").write_text(profiler.output_text(unicode=False, color=False))
    flat = ConsoleRenderer(flat=True, time="percent_of_total", unicode=False, color=False)
    (out / f"profile-{port}-flat.txt").write_text(profiler.output(flat))


def main() -> None:
    out, port = Path(sys.argv[1]), int(sys.argv[2])
    profiler = Profiler(interval=0.001, async_mode="disabled")

    class ProfiledServer(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Written at the signal, not after uvicorn's graceful shutdown: that can outlast the
            # bench's wait, and the profile would be lost with the process.
            write(profiler, out, port)
            os._exit(0)

    config = uvicorn.Config(
        "shop.app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        ws_per_message_deflate=False,
        proxy_headers=False,
        access_log=False,
        log_level="warning",
    )
    profiler.start()
    ProfiledServer(config).run()


if __name__ == "__main__":
    main()
