"""Painting primitives shared by the demo pictures: fonts, gradients, soft shadows, captions.

Pillow's primitives are not anti-aliased, so pictures are drawn at `SS` times their final size
and shrunk by `encode` at the end.
"""

from __future__ import annotations

import io
import math
import random
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from shop.demo.shapes import RGB, SHAPES, Box, draw_shape

SS = 2
FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont
_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
)
_FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
INK: RGB = (40, 36, 40)


@dataclass(frozen=True, slots=True)
class Look:
    """How one product is drawn, wherever it appears."""

    shape: str
    body: RGB
    accent: RGB


def font(px: int) -> FontT:
    # The seeder draws in several threads; one FreeType face per thread avoids sharing its state.
    return _font(px, threading.get_ident())


@lru_cache(maxsize=128)
def _font(px: int, _thread: int) -> FontT:
    # A bold system face reads better on covers; Pillow's bundled font keeps it working without.
    for folder in _FONT_DIRS:
        for name in _FONT_FILES:
            if (path := Path(folder) / name).exists():
                return ImageFont.truetype(str(path), px)
    return ImageFont.load_default(size=px)


def printable(text: str) -> str:
    # Neither font has emoji glyphs; drop them rather than draw empty boxes.
    return " ".join("".join(ch for ch in text if ord(ch) < 0x2000).split())


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    # Blend a one-pixel-wide strip and stretch it sideways: far cheaper than blending full frames.
    ramp = Image.linear_gradient("L").resize((1, size[1]), Image.Resampling.BILINEAR)
    strip = Image.composite(Image.new("RGB", ramp.size, bottom), Image.new("RGB", ramp.size, top), ramp)
    return strip.resize(size, Image.Resampling.NEAREST)


def soft_ellipse(canvas: Image.Image, box: Box, color: RGB, opacity: float) -> None:
    """Blurred ellipse for shadows and glows; blurred small and scaled up because blur is slow."""
    x0, y0, x1, y1 = box
    pad = max(x1 - x0, y1 - y0) * 0.35
    w, h = int(x1 - x0 + 2 * pad), int(y1 - y0 + 2 * pad)
    small = Image.new("L", (max(1, w // 8), max(1, h // 8)))
    ImageDraw.Draw(small).ellipse((pad / 8, pad / 8, (w - pad) / 8, (h - pad) / 8), fill=round(255 * opacity))
    mask = small.filter(ImageFilter.GaussianBlur(pad / 24)).resize((w, h), Image.Resampling.BILINEAR)
    canvas.paste(color, (int(x0 - pad), int(y0 - pad), int(x0 - pad) + w, int(y0 - pad) + h), mask)


def fit_box(look: Look, cx: float, base_y: float, max_w: float, max_h: float) -> Box:
    aspect = SHAPES[look.shape].aspect
    h = min(max_h, max_w / aspect)
    w = h * aspect
    return cx - w / 2, base_y - h, cx + w / 2, base_y


def standing(canvas: Image.Image, look: Look, box: Box) -> None:
    x0, _, x1, y1 = box
    w = x1 - x0
    shadow = (x0 - 0.05 * w, y1 - 0.05 * w, x1 + 0.1 * w, y1 + 0.07 * w)
    soft_ellipse(canvas, shadow, (40, 30, 30), 0.45)
    draw_shape(ImageDraw.Draw(canvas), look.shape, box, look.body, look.accent)


def tilted(canvas: Image.Image, look: Look, centre: tuple[float, float], size: float, angle: float) -> None:
    """A product seen from above, turned a little, with a drop shadow from its own outline."""
    aspect = SHAPES[look.shape].aspect
    w, h = (size, size / aspect) if aspect >= 1 else (size * aspect, size)
    pad = int(max(w, h) * 0.06)
    layer = Image.new("RGBA", (int(w) + 2 * pad, int(h) + 2 * pad), (0, 0, 0, 0))
    draw_shape(ImageDraw.Draw(layer), look.shape, (pad, pad, pad + w, pad + h), look.body, look.accent)
    layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    shadow = layer.getchannel("A").reduce(8).filter(ImageFilter.GaussianBlur(3))
    shadow = shadow.resize(layer.size).point(lambda a: a * 2 // 5)
    left, top = int(centre[0] - layer.width / 2), int(centre[1] - layer.height / 2)
    offset = int(size * 0.04)
    canvas.paste((50, 40, 40), (left + offset, top + offset * 2), shadow)
    canvas.paste(layer, (left, top), layer)


def wrap(text: str, face: FontT, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(trial) <= max_width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def caption(canvas: Image.Image, text: str, accent: RGB, top: float) -> None:
    """Cover title as stacked sticker strips, the way creators letter their covers."""
    text = printable(text)
    width = canvas.width
    # Landscape covers size the text by height, or three lines would run into the products.
    px = int(min(width, canvas.height) * 0.085)
    face = font(px)
    lines = wrap(text, face, width * 0.8)
    while len(lines) > 3 and px > width * 0.05:
        px = int(px * 0.88)
        face = font(px)
        lines = wrap(text, face, width * 0.8)
    d = ImageDraw.Draw(canvas)
    y = top
    for i, line in enumerate(lines[:4]):
        length = face.getlength(line)
        x = width * 0.07 + (i % 2) * width * 0.04
        pad = px * 0.28
        d.rounded_rectangle(
            (x - pad + px * 0.1, y + px * 0.12, x + length + pad + px * 0.1, y + px * 1.32),
            radius=px * 0.2,
            fill=accent,
        )
        d.rounded_rectangle(
            (x - pad, y, x + length + pad, y + px * 1.2), radius=px * 0.2, fill=(255, 252, 248)
        )
        d.text((x, y + px * 0.1), line, font=face, fill=INK)
        y += px * 1.45


def encode(canvas: Image.Image, size: tuple[int, int]) -> bytes:
    out = canvas.reduce(SS) if canvas.size != size else canvas
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def props(canvas: Image.Image, rng: random.Random, count: int) -> None:
    """Leaves and pebbles scattered around a flat lay."""
    d = ImageDraw.Draw(canvas)
    w, h = canvas.size
    for _ in range(count):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.07) * w
        if rng.random() < 0.5:
            angle = rng.uniform(0, math.pi)
            dx, dy = math.cos(angle) * r, math.sin(angle) * r
            d.polygon(
                [
                    (x - dx, y - dy),
                    (x - dy * 0.4, y + dx * 0.4),
                    (x + dx, y + dy),
                    (x + dy * 0.4, y - dx * 0.4),
                ],
                fill=(118, 158, 104),
            )
        else:
            d.ellipse((x - r * 0.5, y - r * 0.4, x + r * 0.5, y + r * 0.4), fill=(236, 230, 222))
