"""Live video (issue 16): going live from the browser, HLS out, recordings kept for the replay.

    console (getUserMedia + MediaRecorder WebM chunks)
        ── ingest socket (host only, Origin-checked, one publisher per stream) ──▶ ingest.py
        ── stdin ──▶ ffmpeg (imageio-ffmpeg's binary, encoder.py) ──▶ media/live/{id}/index.m3u8 + seg_*.ts
        ◀── GET /live/{id}/video/{name} (serving.py, nothing outside the folder) ── hls.js in the room

`paths.py` names the folder and checks every name asked for; `jobs.py` closes the playlists of ended
streams and deletes recordings older than RECORDING_RETENTION_DAYS. With RTMP_INGEST_URL set (OBS and
nginx-rtmp, see README) the app shows the URL and key and never relays video itself.
"""
