"""Demo pictures drawn with Pillow alone: product shots and lifestyle note images.

Pillow's primitives are not anti-aliased, so everything is drawn at `SS` times the final size and
shrunk at the end. Each picture takes its own integer seed, so it never depends on what else was
drawn before it (the seeder may skip objects that already exist).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from shop.demo.shapes import SCALE, SHAPES, RGB, Box, draw_shape, shade

SS = 2
PRODUCT_SIZE = 800
NOTE_WIDTH = 720
FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu")
_FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
INK: RGB = (40, 36, 40)


@dataclass(frozen=True, slots=True)
class Look:
    """How one product is drawn, wherever it appears."""

    shape: str
    body: RGB
    accent: RGB


@dataclass(frozen=True, slots=True)
class Scene:
    width: int
    height: int
    style: str  # "shelf", "outdoor" or "flatlay"
    backdrop: tuple[RGB, RGB]
    accent: RGB
    looks: tuple[Look, ...]
    caption: str | None
    seed: int


@lru_cache(maxsize=32)
def font(px: int) -> FontT:
    # A bold system face reads better on covers; Pillow's bundled font keeps it working without.
    for folder in _FONT_DIRS:
        for name in _FONT_FILES:
            if (path := Path(folder) / name).exists():
                return ImageFont.truetype(str(path), px)
    return ImageFont.load_default(size=px)


def _printable(text: str) -> str:
    # Neither font has emoji glyphs; drop them rather than draw empty boxes.
    return " ".join("".join(ch for ch in text if ord(ch) < 0x2000).split())


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    # A one-pixel-wide ramp stretched sideways: resizing a full 256x256 ramp is much slower.
    ramp = Image.linear_gradient("L").resize((1, size[1]), Image.Resampling.BILINEAR)
    mask = ramp.resize(size, Image.Resampling.NEAREST)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _soft_ellipse(canvas: Image.Image, box: Box, color: RGB, opacity: float) -> None:
    """Blurred ellipse for shadows and glows; blurred small and scaled up because blur is slow."""
    x0, y0, x1, y1 = box
    pad = max(x1 - x0, y1 - y0) * 0.35
    w, h = int(x1 - x0 + 2 * pad), int(y1 - y0 + 2 * pad)
    small = Image.new("L", (max(1, w // 8), max(1, h // 8)))
    ImageDraw.Draw(small).ellipse((pad / 8, pad / 8, (w - pad) / 8, (h - pad) / 8),
                                  fill=round(255 * opacity))
    mask = small.filter(ImageFilter.GaussianBlur(pad / 24)).resize((w, h), Image.Resampling.BILINEAR)
    canvas.paste(color, (int(x0 - pad), int(y0 - pad), int(x0 - pad) + w, int(y0 - pad) + h), mask)


def _fit_box(look: Look, cx: float, base_y: float, max_w: float, max_h: float) -> Box:
    aspect = SHAPES[look.shape][1]
    h = min(max_h, max_w / aspect)
    w = h * aspect
    return cx - w / 2, base_y - h, cx + w / 2, base_y


def _standing(canvas: Image.Image, look: Look, box: Box) -> None:
    x0, y0, x1, y1 = box
    _soft_ellipse(canvas, (x0 - 0.05 * (x1 - x0), y1 - 0.05 * (x1 - x0), x1 + 0.1 * (x1 - x0),
                           y1 + 0.07 * (x1 - x0)), (40, 30, 30), 0.45)
    draw_shape(ImageDraw.Draw(canvas), look.shape, box, look.body, look.accent)


def _tilted(canvas: Image.Image, look: Look, centre: tuple[float, float], size: float,
            angle: float) -> None:
    """A product seen from above, turned a little, with a drop shadow from its own outline."""
    aspect = SHAPES[look.shape][1]
    w, h = (size, size / aspect) if aspect >= 1 else (size * aspect, size)
    pad = int(max(w, h) * 0.06)
    layer = Image.new("RGBA", (int(w) + 2 * pad, int(h) + 2 * pad), (0, 0, 0, 0))
    draw_shape(ImageDraw.Draw(layer), look.shape, (pad, pad, pad + w, pad + h), look.body,
               look.accent)
    layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    shadow = layer.getchannel("A").reduce(8).filter(ImageFilter.GaussianBlur(3))
    shadow = shadow.resize(layer.size).point(lambda a: a * 2 // 5)
    left, top = int(centre[0] - layer.width / 2), int(centre[1] - layer.height / 2)
    offset = int(size * 0.04)
    canvas.paste((50, 40, 40), (left + offset, top + offset * 2), shadow)
    canvas.paste(layer, (left, top), layer)


def _wrap(text: str, face: FontT, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(trial) <= max_width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def _caption(canvas: Image.Image, text: str, accent: RGB, top: float) -> None:
    """Cover title as stacked sticker strips, the way creators letter their covers."""
    text = _printable(text)
    width = canvas.width
    # Landscape covers size the text by height, or three lines would run into the products.
    px = int(min(width, canvas.height) * 0.085)
    face = font(px)
    lines = _wrap(text, face, width * 0.8)
    while len(lines) > 3 and px > width * 0.05:
        px = int(px * 0.88)
        face = font(px)
        lines = _wrap(text, face, width * 0.8)
    d = ImageDraw.Draw(canvas)
    y = top
    for i, line in enumerate(lines[:4]):
        length = face.getlength(line)
        x = width * 0.07 + (i % 2) * width * 0.04
        pad = px * 0.28
        d.rounded_rectangle((x - pad + px * 0.1, y + px * 0.12, x + length + pad + px * 0.1,
                             y + px * 1.32), radius=px * 0.2, fill=accent)
        d.rounded_rectangle((x - pad, y, x + length + pad, y + px * 1.2), radius=px * 0.2,
                            fill=(255, 252, 248))
        d.text((x, y + px * 0.1), line, font=face, fill=INK)
        y += px * 1.45


def _encode(canvas: Image.Image, size: tuple[int, int]) -> bytes:
    out = canvas.reduce(SS) if canvas.size != size else canvas
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def product_images(name: str, shop: str, look: Look, backdrop: tuple[RGB, RGB],
                   swatches: tuple[RGB, ...], seed: int, count: int) -> list[bytes]:
    """A hero shot, then (when count is 2) a styled flat lay with the variant colours."""
    shots = [_product_hero(name, shop, look, backdrop)]
    if count > 1:
        shots.append(_product_flatlay(look, backdrop, swatches, random.Random(seed)))
    return shots


def _product_hero(name: str, shop: str, look: Look, backdrop: tuple[RGB, RGB]) -> bytes:
    size = PRODUCT_SIZE * SS
    canvas = _gradient((size, size), shade(backdrop[0], 0.3), backdrop[1])
    _soft_ellipse(canvas, (size * 0.18, size * 0.1, size * 0.82, size * 0.74),
                  shade(backdrop[0], 0.7), 0.9)
    d = ImageDraw.Draw(canvas)
    d.ellipse((size * 0.14, size * 0.7, size * 0.86, size * 0.8), fill=shade(backdrop[1], -0.06))
    box = _fit_box(look, size / 2, size * 0.76, size * 0.6, size * 0.56)
    _standing(canvas, look, box)
    small = font(int(size * 0.028))
    d.ellipse((size * 0.06, size * 0.06, size * 0.08, size * 0.08), fill=look.accent)
    d.text((size * 0.1, size * 0.052), shop.upper(), font=small, fill=shade(INK, 0.3))
    face = font(int(size * 0.05))
    for i, line in enumerate(_wrap(_printable(name), face, size * 0.86)[:2]):
        y = size * (0.85 + 0.065 * i)
        d.text((size / 2, y), line, font=face, fill=INK, anchor="mt")
    return _encode(canvas, (PRODUCT_SIZE, PRODUCT_SIZE))


def _product_flatlay(look: Look, backdrop: tuple[RGB, RGB], swatches: tuple[RGB, ...],
                     rng: random.Random) -> bytes:
    size = PRODUCT_SIZE * SS
    canvas = Image.new("RGB", (size, size), shade(look.accent, 0.8))
    d = ImageDraw.Draw(canvas)
    d.ellipse((size * 0.45, -size * 0.2, size * 1.25, size * 0.6), fill=shade(backdrop[1], 0.2))
    d.rounded_rectangle((-size * 0.1, size * 0.62, size * 0.5, size * 1.1), radius=size * 0.05,
                        fill=shade(backdrop[0], 0.4))
    _props(canvas, rng, count=5)
    _tilted(canvas, look, (size * 0.5, size * 0.46), size * 0.5, rng.uniform(-16, 16))
    for i, color in enumerate(swatches[:4]):
        x = size * (0.1 + i * 0.09)
        d.ellipse((x, size * 0.86, x + size * 0.065, size * 0.925), fill=color,
                  outline=(255, 255, 255), width=size // 200)
    return _encode(canvas, (PRODUCT_SIZE, PRODUCT_SIZE))


def _props(canvas: Image.Image, rng: random.Random, count: int) -> None:
    """Leaves and pebbles scattered around a flat lay."""
    d = ImageDraw.Draw(canvas)
    w, h = canvas.size
    for _ in range(count):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.07) * w
        if rng.random() < 0.5:
            angle = rng.uniform(0, math.pi)
            dx, dy = math.cos(angle) * r, math.sin(angle) * r
            d.polygon([(x - dx, y - dy), (x - dy * 0.4, y + dx * 0.4), (x + dx, y + dy),
                       (x + dy * 0.4, y - dx * 0.4)], fill=(118, 158, 104))
        else:
            d.ellipse((x - r * 0.5, y - r * 0.4, x + r * 0.5, y + r * 0.4), fill=(236, 230, 222))


def note_image(scene: Scene) -> tuple[bytes, list[tuple[float, float]]]:
    """Draw a note picture; returns the JPEG and each product's centre as (x, y) in 0..1."""
    rng = random.Random(scene.seed)
    size = (scene.width * SS, scene.height * SS)
    if scene.style == "flatlay":
        canvas, centres = _flatlay_scene(size, scene, rng)
    else:
        canvas, centres = _standing_scene(size, scene, rng)
    if scene.caption:
        _caption(canvas, scene.caption, scene.accent, top=size[1] * 0.06)
    relative = [(round(x / size[0], 3), round(y / size[1], 3)) for x, y in centres]
    return _encode(canvas, (scene.width, scene.height)), relative


def _standing_scene(size: tuple[int, int], scene: Scene,
                    rng: random.Random) -> tuple[Image.Image, list[tuple[float, float]]]:
    w, h = size
    ground = h * (0.6 if h >= w else 0.55)
    if scene.style == "outdoor":
        canvas = _outdoor_backdrop(size, ground, rng)
    else:
        canvas = _room_backdrop(size, scene, ground, rng)
    count = len(scene.looks)
    slots = [(i + 1) / (count + 1) + rng.uniform(-0.03, 0.03) for i in range(count)]
    bases = [ground + (h - ground) * rng.uniform(0.45, 0.75) for _ in range(count)]
    centres = [(0.0, 0.0)] * count
    # Farther objects (higher base line) first, so nearer ones overlap them.
    for i in sorted(range(count), key=lambda i: bases[i]):
        look = scene.looks[i]
        max_w = w * (0.6 if count == 1 else 0.9 / count)
        max_h = ((h - ground) * 0.55 + h * 0.14) * SCALE.get(look.shape, 1.0)
        box = _fit_box(look, w * slots[i], bases[i], max_w, max_h)
        _standing(canvas, look, box)
        centres[i] = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return canvas, centres


def _room_backdrop(size: tuple[int, int], scene: Scene, ground: float,
                   rng: random.Random) -> Image.Image:
    w, h = size
    canvas = _gradient(size, shade(scene.backdrop[0], 0.35), scene.backdrop[1])
    d = ImageDraw.Draw(canvas, "RGBA")
    wx = w * rng.choice((0.52, 0.08))
    window = (wx, h * 0.08, wx + w * 0.4, ground - h * 0.06)
    sky = _gradient((int(window[2] - window[0]), int(window[3] - window[1])), (166, 206, 236),
                    (250, 226, 206))
    canvas.paste(sky, (int(window[0]), int(window[1])))
    d.rectangle(window, outline=(255, 255, 255), width=w // 60)
    d.line(((window[0] + window[2]) / 2, window[1], (window[0] + window[2]) / 2, window[3]),
           fill=(255, 255, 255), width=w // 80)
    d.polygon([(window[0], window[3]), (window[2], window[3]), (window[2] + w * 0.2, h),
               (window[0] + w * 0.1, h)], fill=(255, 250, 230, 50))
    surface = rng.choice(((196, 160, 112), (236, 232, 226), (150, 112, 84), (214, 206, 196)))
    d.rectangle((0, ground, w, h), fill=surface)
    d.rectangle((0, ground, w, ground + h * 0.012), fill=shade(surface, 0.3))
    for i in range(1, 6):
        y = ground + (h - ground) * i / 6
        d.line((0, y, w, y + rng.uniform(-4, 4) * SS), fill=(*shade(surface, -0.08), 120),
               width=SS)
    return canvas


def _outdoor_backdrop(size: tuple[int, int], ground: float, rng: random.Random) -> Image.Image:
    w, h = size
    canvas = _gradient(size, (120, 178, 226), (250, 214, 184))
    sun_x = w * rng.uniform(0.6, 0.85)
    _soft_ellipse(canvas, (sun_x - w * 0.12, h * 0.2, sun_x + w * 0.12, h * 0.2 + w * 0.24),
                  (255, 244, 214), 0.95)
    d = ImageDraw.Draw(canvas)
    layers = ((150, 170, 196), (104, 134, 150), (70, 112, 96))
    for depth, color in enumerate(layers):
        base = ground - h * (0.02 - depth * 0.02)
        peaks = [(-w * 0.1, base)]
        x = -w * 0.1
        while x < w * 1.1:
            x += w * rng.uniform(0.15, 0.32)
            peaks.append((x, base - h * rng.uniform(0.08, 0.22) / (depth + 1)))
            x += w * rng.uniform(0.1, 0.2)
            peaks.append((x, base - h * rng.uniform(0.0, 0.05)))
        d.polygon([*peaks, (w * 1.2, h), (-w * 0.1, h)], fill=color)
    d.rectangle((0, ground + h * 0.02, w, h), fill=(122, 150, 96))
    d.polygon([(w * 0.3, h), (w * 0.45, ground + h * 0.02), (w * 0.55, ground + h * 0.02),
               (w * 0.8, h)], fill=(186, 166, 130))
    return canvas


def _flatlay_scene(size: tuple[int, int], scene: Scene,
                   rng: random.Random) -> tuple[Image.Image, list[tuple[float, float]]]:
    w, h = size
    canvas = _gradient(size, shade(scene.backdrop[0], 0.5), shade(scene.backdrop[1], 0.2))
    d = ImageDraw.Draw(canvas)
    d.ellipse((-w * 0.2, h * 0.55, w * 0.5, h * 0.55 + w * 0.7), fill=shade(scene.accent, 0.7))
    d.rounded_rectangle((w * 0.6, h * 0.15, w * 1.1, h * 0.5), radius=w * 0.03,
                        fill=(252, 250, 246))
    _props(canvas, rng, count=8)
    count = len(scene.looks)
    cols = 1 if count == 1 else 2
    rows = math.ceil(count / cols)
    top = h * 0.38 if scene.caption else h * 0.12
    cell_w, cell_h = w / cols, (h * 0.95 - top) / max(rows, 1)
    centres: list[tuple[float, float]] = []
    for i, look in enumerate(scene.looks):
        col = i % cols if not (i == count - 1 and count % 2) else 0.5 * (cols - 1)
        cx = cell_w * (col + 0.5) + rng.uniform(-0.04, 0.04) * w
        cy = top + cell_h * (i // cols + 0.5) + rng.uniform(-0.03, 0.03) * h
        size_px = min(cell_w, cell_h) * 0.62 * SCALE.get(look.shape, 1.0) ** 0.5
        _tilted(canvas, look, (cx, cy), size_px, rng.uniform(-25, 25))
        centres.append((cx, cy))
    return canvas, centres
