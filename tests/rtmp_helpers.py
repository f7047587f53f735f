"""A real media server for the OBS path's test: Debian's nginx with its RTMP module, on loopback ports,
from a config written in the test's folder (the README's config, with the app's `on_publish` hook),
and ffmpeg pushing a generated clip to it as OBS or a hardware encoder would."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.backends import IN_CI
from tests.helpers import free_port
from tests.video_helpers import FFMPEG

NGINX = "/usr/sbin/nginx"
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def require_nginx_rtmp() -> None:
    """CI installs both (.ci/run), so there a missing one fails; elsewhere the test says what to install."""
    missing = [path for path in (NGINX, RTMP_MODULE) if not Path(path).exists()]
    if not missing:
        return
    if IN_CI:
        pytest.fail(f"{' and '.join(missing)} missing: CI must install nginx and libnginx-mod-rtmp")
    pytest.skip(f"{' and '.join(missing)} missing (apt-get install nginx libnginx-mod-rtmp)")


@dataclass(frozen=True)
class MediaServer:
    folder: Path
    rtmp_port: int
    http_port: int

    @classmethod
    def on_free_ports(cls, folder: Path) -> MediaServer:
        return cls(folder, free_port(), free_port())

    @property
    def ingest_url(self) -> str:
        return f"rtmp://127.0.0.1:{self.rtmp_port}/live"

    @property
    def hls_base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/hls"

    @property
    def hls_dir(self) -> Path:
        return self.folder / "hls"

    def config(self, app: str, query: str) -> str:
        """nginx-rtmp in one process (no master, no daemon, no privileges to drop). `hls_cleanup off`:
        the test reads every fragment after the push ends, which nginx would otherwise delete."""
        tmp = self.folder
        return f"""
load_module {RTMP_MODULE};
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 64; }}
rtmp {{
    server {{
        listen 127.0.0.1:{self.rtmp_port};
        application live {{
            live on;
            record off;
            hls on;
            hls_path {self.hls_dir};
            hls_fragment 1s;
            hls_playlist_length 10s;
            hls_cleanup off;
            on_publish {app}/api/v1/rtmp/on_publish{query};
            on_publish_done {app}/api/v1/rtmp/on_publish_done{query};
        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{self.http_port};
        location /hls/ {{
            alias {self.hls_dir}/;
            add_header Cache-Control no-cache;
            types {{ application/vnd.apple.mpegurl m3u8; video/mp2t ts; }}
        }}
    }}
}}
"""

    @contextmanager
    def running(self, app: str, query: str = "") -> Iterator[None]:
        """nginx until the block ends, calling the hooks of the app at `app` (with `query` appended)."""
        conf = self.folder / "nginx.conf"
        conf.write_text(self.config(app, query))
        command = [NGINX, "-p", f"{self.folder}/", "-c", str(conf), "-e", str(self.folder / "error.log")]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self._wait_until_listening(process)
            yield
        finally:
            process.terminate()
            process.wait(timeout=10)

    def _wait_until_listening(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 10
        for port in (self.rtmp_port, self.http_port):
            while not _listens(port):
                assert process.poll() is None, "nginx exited: " + self.error_log()
                assert time.monotonic() < deadline, "nginx did not listen in 10 s: " + self.error_log()
                time.sleep(0.05)

    def error_log(self) -> str:
        log = self.folder / "error.log"
        return log.read_text()[-3000:] if log.exists() else ""


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


async def push(url: str, seconds: float) -> tuple[int, str]:
    """ffmpeg sends `seconds` of a test pattern and a tone, in real time, as H.264/AAC over RTMP
    (a key frame a second, as OBS is told to for HLS): its exit code and what it said."""
    process = await asyncio.create_subprocess_exec(
        FFMPEG, "-hide_banner", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac", "-b:a", "64k", "-f", "flv", url,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, said = await asyncio.wait_for(process.communicate(), timeout=seconds + 20)
    return process.returncode or 0, said.decode(errors="replace")
