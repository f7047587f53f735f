"""Demo pictures drawn with Pillow alone: product shots and lifestyle note images.

Each picture takes its own integer seed, so it never depends on what else was drawn before it
(the seeder may skip objects that already exist, and draws in several threads).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from shop.demo.paint import (
    INK,
    SS,
    Look,
    caption,
    encode,
    fit_box,
    font,
    gradient,
    printable,
    props,
    soft_ellipse,
    standing,
    tilted,
    wrap,
)
from shop.demo.shapes import RGB, SHAPES, Box, shade

__all__ = ["NOTE_WIDTH", "PRODUCT_SIZE", "Look", "Scene", "note_image", "product_images"]

PRODUCT_SIZE = 800
NOTE_WIDTH = 720
_DECOR = Look("plant", (236, 232, 226), (168, 96, 64))


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


def product_images(
    name: str,
    shop: str,
    look: Look,
    backdrop: tuple[RGB, RGB],
    swatches: tuple[RGB, ...],
    seed: int,
    count: int,
) -> list[bytes]:
    """A hero shot, then (when count is 2) a styled flat lay with the variant colours."""
    shots = [_product_hero(name, shop, look, backdrop)]
    if count > 1:
        shots.append(_product_flatlay(look, backdrop, swatches, random.Random(seed)))
    return shots


def _product_hero(name: str, shop: str, look: Look, backdrop: tuple[RGB, RGB]) -> bytes:
    size = PRODUCT_SIZE * SS
    canvas = gradient((size, size), shade(backdrop[0], 0.3), backdrop[1])
    soft_ellipse(canvas, (size * 0.18, size * 0.1, size * 0.82, size * 0.74), shade(backdrop[0], 0.7), 0.9)
    d = ImageDraw.Draw(canvas)
    d.ellipse((size * 0.14, size * 0.7, size * 0.86, size * 0.8), fill=shade(backdrop[1], -0.06))
    box = fit_box(look, size / 2, size * 0.76, size * 0.6, size * 0.56)
    standing(canvas, look, box)
    small = font(int(size * 0.028))
    d.ellipse((size * 0.06, size * 0.06, size * 0.08, size * 0.08), fill=look.accent)
    d.text((size * 0.1, size * 0.052), shop.upper(), font=small, fill=shade(INK, 0.3))
    face = font(int(size * 0.05))
    for i, line in enumerate(wrap(printable(name), face, size * 0.86)[:2]):
        y = size * (0.85 + 0.065 * i)
        d.text((size / 2, y), line, font=face, fill=INK, anchor="mt")
    return encode(canvas, (PRODUCT_SIZE, PRODUCT_SIZE))


def _product_flatlay(
    look: Look, backdrop: tuple[RGB, RGB], swatches: tuple[RGB, ...], rng: random.Random
) -> bytes:
    size = PRODUCT_SIZE * SS
    canvas = Image.new("RGB", (size, size), shade(look.accent, 0.8))
    d = ImageDraw.Draw(canvas)
    d.ellipse((size * 0.45, -size * 0.2, size * 1.25, size * 0.6), fill=shade(backdrop[1], 0.2))
    d.rounded_rectangle(
        (-size * 0.1, size * 0.62, size * 0.5, size * 1.1),
        radius=size * 0.05,
        fill=shade(backdrop[0], 0.4),
    )
    props(canvas, rng, count=5)
    tilted(canvas, look, (size * 0.5, size * 0.46), size * 0.5, rng.uniform(-16, 16))
    for i, color in enumerate(swatches[:4]):
        x = size * (0.1 + i * 0.09)
        d.ellipse(
            (x, size * 0.86, x + size * 0.065, size * 0.925),
            fill=color,
            outline=(255, 255, 255),
            width=size // 200,
        )
    return encode(canvas, (PRODUCT_SIZE, PRODUCT_SIZE))


def note_image(scene: Scene) -> tuple[bytes, list[tuple[float, float]]]:
    """Draw a note picture; returns the JPEG and each product's centre as (x, y) in 0..1."""
    rng = random.Random(scene.seed)
    size = (scene.width * SS, scene.height * SS)
    # An empty room looks unfinished; a plant fills it. It is decor, so it gets no tag.
    looks = scene.looks or ((_DECOR,) if scene.style != "outdoor" else ())
    if scene.style == "flatlay":
        canvas, centres = _flatlay_scene(size, scene, looks, rng)
    else:
        canvas, centres = _standing_scene(size, scene, looks, rng)
    if scene.caption:
        caption(canvas, scene.caption, scene.accent, top=size[1] * 0.06)
    tagged = centres[: len(scene.looks)]
    relative = [(round(x / size[0], 3), round(y / size[1], 3)) for x, y in tagged]
    return encode(canvas, (scene.width, scene.height)), relative


def _standing_scene(
    size: tuple[int, int], scene: Scene, looks: tuple[Look, ...], rng: random.Random
) -> tuple[Image.Image, list[tuple[float, float]]]:
    w, h = size
    ground = h * (0.6 if h >= w else 0.55)
    if scene.style == "outdoor":
        canvas = _outdoor_backdrop(size, ground, rng)
    else:
        canvas = _room_backdrop(size, scene, ground, rng)
    count = len(looks)
    slots = [(i + 1) / (count + 1) + rng.uniform(-0.03, 0.03) for i in range(count)]
    bases = [ground + (h - ground) * rng.uniform(0.45, 0.75) for _ in range(count)]
    centres = [(0.0, 0.0)] * count
    # Farther objects (higher base line) first, so nearer ones overlap them.
    for i in sorted(range(count), key=lambda i: bases[i]):
        look = looks[i]
        max_w = w * (0.6 if count == 1 else 0.9 / count)
        max_h = ((h - ground) * 0.55 + h * 0.14) * SHAPES[look.shape].scale
        box = fit_box(look, w * slots[i], bases[i], max_w, max_h)
        standing(canvas, look, box)
        centres[i] = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return canvas, centres


def _room_backdrop(size: tuple[int, int], scene: Scene, ground: float, rng: random.Random) -> Image.Image:
    w, h = size
    canvas = gradient(size, shade(scene.backdrop[0], 0.35), scene.backdrop[1])
    wx = w * rng.choice((0.52, 0.08))
    _window(canvas, (wx, h * 0.08, wx + w * 0.4, ground - h * 0.06))
    d = ImageDraw.Draw(canvas, "RGBA")
    # A framed print on the wall opposite the window balances the picture.
    fx, fy, unit = (w * 0.62 if wx < w * 0.5 else w * 0.1), h * 0.2, w * 0.02
    d.rectangle((fx, fy, fx + 13 * unit, fy + 16 * unit), fill=(255, 255, 255))
    d.rectangle((fx + unit, fy + unit, fx + 12 * unit, fy + 15 * unit), fill=shade(scene.accent, 0.55))
    d.ellipse(
        (fx + 3.5 * unit, fy + 4 * unit, fx + 9.5 * unit, fy + 10 * unit), fill=shade(scene.backdrop[0], 0.5)
    )
    surface = rng.choice(((196, 160, 112), (236, 232, 226), (150, 112, 84), (214, 206, 196)))
    d.rectangle((0, ground, w, h), fill=surface)
    d.rectangle((0, ground, w, ground + h * 0.012), fill=shade(surface, 0.3))
    for i in range(1, 6):
        y = ground + (h - ground) * i / 6
        d.line((0, y, w, y + rng.uniform(-4, 4) * SS), fill=(*shade(surface, -0.08), 120), width=SS)
    # Light from the window falling across the table.
    light = [(wx, ground), (wx + w * 0.4, ground), (wx + w * 0.6, h), (wx + w * 0.1, h)]
    d.polygon(light, fill=(255, 250, 230, 60))
    return canvas


def _window(canvas: Image.Image, box: Box) -> None:
    """A window onto a dusk sky."""
    x0, y0, x1, y1 = box
    w = canvas.width
    canvas.paste(gradient((int(x1 - x0), int(y1 - y0)), (166, 206, 236), (250, 226, 206)), (int(x0), int(y0)))
    d = ImageDraw.Draw(canvas, "RGBA")
    d.rectangle(box, outline=(255, 255, 255), width=w // 60)
    d.line(((x0 + x1) / 2, y0, (x0 + x1) / 2, y1), fill=(255, 255, 255), width=w // 80)


def _outdoor_backdrop(size: tuple[int, int], ground: float, rng: random.Random) -> Image.Image:
    w, h = size
    canvas = gradient(size, (120, 178, 226), (250, 214, 184))
    sun_x = w * rng.uniform(0.6, 0.85)
    soft_ellipse(
        canvas,
        (sun_x - w * 0.12, h * 0.2, sun_x + w * 0.12, h * 0.2 + w * 0.24),
        (255, 244, 214),
        0.95,
    )
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
    d.polygon(
        [(w * 0.3, h), (w * 0.45, ground + h * 0.02), (w * 0.55, ground + h * 0.02), (w * 0.8, h)],
        fill=(186, 166, 130),
    )
    return canvas


def _flatlay_scene(
    size: tuple[int, int], scene: Scene, looks: tuple[Look, ...], rng: random.Random
) -> tuple[Image.Image, list[tuple[float, float]]]:
    w, h = size
    canvas = gradient(size, shade(scene.backdrop[0], 0.5), shade(scene.backdrop[1], 0.2))
    d = ImageDraw.Draw(canvas)
    d.ellipse((-w * 0.2, h * 0.55, w * 0.5, h * 0.55 + w * 0.7), fill=shade(scene.accent, 0.7))
    d.rounded_rectangle((w * 0.6, h * 0.15, w * 1.1, h * 0.5), radius=w * 0.03, fill=(252, 250, 246))
    props(canvas, rng, count=8)
    count = len(looks)
    cols = 1 if count == 1 else 2
    rows = math.ceil(count / cols)
    top = h * 0.38 if scene.caption else h * 0.12
    cell_w, cell_h = w / cols, (h * 0.95 - top) / max(rows, 1)
    centres: list[tuple[float, float]] = []
    for i, look in enumerate(looks):
        col = i % cols if not (i == count - 1 and count % 2) else 0.5 * (cols - 1)
        cx = cell_w * (col + 0.5) + rng.uniform(-0.04, 0.04) * w
        cy = top + cell_h * (i // cols + 0.5) + rng.uniform(-0.03, 0.03) * h
        angle = rng.uniform(-25, 25)
        tilted(canvas, look, (cx, cy), _turned_fit(look, angle, cell_w * 0.8, cell_h * 0.75), angle)
        centres.append((cx, cy))
    return canvas, centres


def _turned_fit(look: Look, angle: float, fit_w: float, fit_h: float) -> float:
    """The longest side a product can have and, turned by angle, still stay inside its cell."""
    shape = SHAPES[look.shape]
    w, h = (1.0, 1 / shape.aspect) if shape.aspect >= 1 else (shape.aspect, 1.0)
    cos, sin = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    longest = min(fit_w / (w * cos + h * sin), fit_h / (w * sin + h * cos))
    return longest * shape.scale**0.5
