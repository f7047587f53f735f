"""Image storage on local disk under `var/media`, with Pillow as the gatekeeper.

Uploads are decoded (not trusted by extension or content type), bounded in bytes and pixels,
rotated by their EXIF orientation, re-encoded without any metadata, and thumbnailed.
Files are content-addressed, so the same image uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from shop.core.errors import InvalidInput, PayloadTooLarge
from shop.core.i18n import N_

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
THUMB_WIDTH = 480
MEDIA_URL_PREFIX = "/media"


@dataclass(frozen=True, slots=True)
class StoredImage:
    key: str
    thumb_key: str
    width: int
    height: int
    content_type: str
    size_bytes: int


def media_url(key: str) -> str:
    return f"{MEDIA_URL_PREFIX}/{key}"


class ImageStore:
    def __init__(self, root: Path, max_bytes: int, max_pixels: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    def save(self, data: bytes, field: str = "file") -> StoredImage:
        if len(data) > self.max_bytes:
            raise PayloadTooLarge(
                N_("Images can be at most %(n)s MB.", n=self.max_bytes // (1024 * 1024)),
                fields={field: "The file is too large."},
            )
        image = self._decode(data, field)
        image = ImageOps.exif_transpose(image).convert("RGB")
        original = _encode_jpeg(image, quality=86)
        digest = hashlib.sha256(original).hexdigest()
        key = f"{digest[:2]}/{digest}.jpg"
        thumb_key = f"{digest[:2]}/{digest}_t.jpg"
        self._write(key, original)
        thumb = image.copy()
        thumb.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 3), Image.Resampling.LANCZOS)
        self._write(thumb_key, _encode_jpeg(thumb, quality=80))
        return StoredImage(key, thumb_key, image.width, image.height, "image/jpeg", len(original))

    def _decode(self, data: bytes, field: str) -> Image.Image:
        not_image = InvalidInput(
            "That file is not an image we accept.",
            fields={field: "Upload a JPEG, PNG, WebP or GIF image."},
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                probe = Image.open(io.BytesIO(data))
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_image
                if probe.width * probe.height > self.max_pixels:
                    raise PayloadTooLarge(fields={field: "The image has too many pixels."})
                probe.verify()
                image = Image.open(io.BytesIO(data))
                image.load()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise not_image from None
        return image

    def _write(self, key: str, data: bytes) -> None:
        path = self.root / key
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif= and no icc_profile=: the re-encoded file carries no metadata from the upload.
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def thumb_size(width: int, height: int) -> tuple[int, int]:
    """The size `ImageStore.save` gives the thumbnail of a width x height image."""
    scale = min(1.0, THUMB_WIDTH / width, THUMB_WIDTH * 3 / height)
    return max(1, round(width * scale)), max(1, round(height * scale))
