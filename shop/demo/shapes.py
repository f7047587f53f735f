"""Stylised product silhouettes, each drawn inside a bounding box given in pixels.

Every drawer takes fractions of its box so one drawing works at any size; `SHAPES` pairs it with
the width/height ratio the drawing looks right at. Colours are opaque on purpose: the drawers are
also used on transparent layers, where translucent fills would punch holes instead of blending.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from PIL import ImageDraw

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]
Draw = ImageDraw.ImageDraw
Drawer = Callable[[Draw, Box, RGB, RGB], None]


class Shape(NamedTuple):
    draw: Drawer
    aspect: float  # width / height the drawing looks right at
    scale: float = 1.0


# Fixed speckle positions keep glazed pottery identical between runs without threading an RNG.
_SPECKS = "0.18,0.3 0.42,0.22 0.6,0.46 0.3,0.62 0.52,0.78 0.2,0.84 0.66,0.66 0.38,0.44"
_TEE = "0.3,0 0.7,0 1,0.2 0.88,0.4 0.78,0.34 0.78,1 0.22,1 0.22,0.34 0.12,0.4 0,0.2"
_JACKET = (
    "0.3,0.02 0.7,0.02 0.95,0.12 1,0.86 0.86,0.87 0.8,0.36 0.8,1 0.2,1 0.2,0.36 0.14,0.87 0,0.86 0.05,0.12"
)
_LEAVES = "0.24,0.2 0.5,0.08 0.76,0.22 0.36,0.36 0.64,0.38 0.14,0.42 0.86,0.44"


def shade(color: RGB, amount: float) -> RGB:
    """Mix towards white (amount > 0) or black (amount < 0)."""
    target = 255 if amount > 0 else 0
    k = abs(amount)
    r, g, b = (round(c + (target - c) * k) for c in color)
    return r, g, b


def _r(b: Box, x0: float, y0: float, x1: float, y1: float) -> Box:
    w, h = b[2] - b[0], b[3] - b[1]
    return b[0] + x0 * w, b[1] + y0 * h, b[0] + x1 * w, b[1] + y1 * h


def _pairs(path: str) -> list[tuple[float, float]]:
    """Parse points written like an SVG `points` attribute: "x,y x,y ..."."""
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in path.split())]


def _pts(b: Box, path: str) -> list[tuple[float, float]]:
    w, h = b[2] - b[0], b[3] - b[1]
    return [(b[0] + x * w, b[1] + y * h) for x, y in _pairs(path)]


def _w(b: Box, f: float) -> int:
    return max(1, round((b[2] - b[0]) * f))


def _label(d: Draw, box: Box, body: RGB, accent: RGB) -> None:
    d.rounded_rectangle(box, radius=_w(box, 0.08), fill=shade(body, 0.6))
    d.rectangle(_r(box, 0.15, 0.25, 0.85, 0.4), fill=accent)
    d.rectangle(_r(box, 0.15, 0.55, 0.65, 0.63), fill=shade(body, -0.35))
    d.rectangle(_r(box, 0.15, 0.72, 0.5, 0.78), fill=shade(body, -0.25))


def _shell(d: Draw, box: Box, radius: int, body: RGB) -> None:
    # A thin darker rim keeps pale containers from dissolving into pale backdrops.
    d.rounded_rectangle(box, radius=radius, fill=body, outline=shade(body, -0.15), width=_w(box, 0.02))


def _gloss(d: Draw, box: Box, body: RGB) -> None:
    d.rounded_rectangle(box, radius=_w(box, 0.5), fill=shade(body, 0.35))


def _bottle(d: Draw, b: Box, body: RGB, accent: RGB, *, cap: str = "", label: bool = True) -> None:
    _shell(d, _r(b, 0, 0.3, 1, 1), _w(b, 0.2), body)
    d.rectangle(_r(b, 0.32, 0.2, 0.68, 0.31), fill=shade(body, -0.15))
    if cap == "dropper":
        d.ellipse(_r(b, 0.34, 0, 0.66, 0.17), fill=shade(accent, -0.15))
        d.rounded_rectangle(_r(b, 0.26, 0.12, 0.74, 0.22), radius=_w(b, 0.05), fill=accent)
    elif cap == "pump":
        d.rectangle(_r(b, 0.44, 0.06, 0.56, 0.2), fill=accent)
        d.rounded_rectangle(_r(b, 0.2, 0, 0.8, 0.08), radius=_w(b, 0.04), fill=accent)
        d.rectangle(_r(b, 0.7, 0.015, 1.02, 0.055), fill=accent)
    else:
        d.rounded_rectangle(_r(b, 0.22, 0.04, 0.78, 0.22), radius=_w(b, 0.06), fill=accent)
    if label:
        _label(d, _r(b, 0.12, 0.5, 0.88, 0.82), body, accent)
    else:
        d.rectangle(_r(b, 0, 0.7, 1, 0.76), fill=shade(body, -0.12))
    _gloss(d, _r(b, 0.1, 0.37, 0.19, 0.9), body)


def _jar(d: Draw, b: Box, body: RGB, accent: RGB, *, lid: float = 0.3) -> None:
    _shell(d, _r(b, 0, lid - 0.04, 1, 1), _w(b, 0.1), body)
    d.rounded_rectangle(_r(b, -0.03, 0, 1.03, lid), radius=_w(b, 0.05), fill=accent)
    d.rectangle(_r(b, -0.03, lid * 0.72, 1.03, lid * 0.82), fill=shade(accent, -0.15))
    _label(d, _r(b, 0.15, lid + 0.14, 0.85, 0.86), body, accent)
    _gloss(d, _r(b, 0.05, lid + 0.06, 0.1, 0.92), body)


def _tube(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.rectangle(_r(b, 0, 0, 1, 0.06), fill=shade(body, -0.12))
    d.polygon(_pts(b, "0,0.05 1,0.05 0.86,0.8 0.14,0.8"), fill=body)
    d.rounded_rectangle(_r(b, 0.2, 0.78, 0.8, 1), radius=_w(b, 0.08), fill=accent)
    d.rectangle(_r(b, 0.24, 0.24, 0.76, 0.3), fill=accent)
    d.rectangle(_r(b, 0.3, 0.37, 0.7, 0.39), fill=shade(body, -0.3))
    d.rectangle(_r(b, 0.3, 0.43, 0.6, 0.45), fill=shade(body, -0.3))
    _gloss(d, _r(b, 0.16, 0.1, 0.23, 0.62), body)


def _mug(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    right = 0.78
    d.ellipse(_r(b, 0.6, 0.2, 1, 0.72), outline=shade(body, -0.08), width=_w(b, 0.08))
    d.rounded_rectangle(_r(b, 0, 0.03, right, 1), radius=_w(b, 0.1), fill=body)
    d.rounded_rectangle(_r(b, 0, 0.78, right, 1), radius=_w(b, 0.1), fill=accent)
    d.ellipse(_r(b, 0, -0.04, right, 0.1), fill=shade(body, -0.3))
    d.ellipse(_r(b, 0.06, -0.01, right - 0.06, 0.08), fill=(120, 78, 46))
    for fx, fy in _pairs(_SPECKS):
        d.ellipse(
            _r(b, fx * right, fy * 0.7 + 0.1, fx * right + 0.02, fy * 0.7 + 0.12),
            fill=shade(body, -0.35),
        )


def _cup(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.polygon(_pts(b, "0,0.05 1,0.05 0.8,0.9 0.2,0.9"), fill=body)
    d.rectangle(_r(b, 0.3, 0.88, 0.7, 1), fill=shade(body, -0.15))
    d.ellipse(_r(b, 0, -0.05, 1, 0.15), fill=shade(body, -0.2))
    d.ellipse(_r(b, 0.07, -0.01, 0.93, 0.12), fill=(214, 176, 92))
    d.polygon(_pts(b, "0.12,0.6 0.88,0.6 0.8,0.9 0.2,0.9"), fill=accent)


def _bowl(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.rectangle(_r(b, 0.36, 0.9, 0.64, 1), fill=shade(body, -0.2))
    d.chord(_r(b, 0, -0.6, 1, 0.96), 0, 180, fill=body)
    d.ellipse(_r(b, 0, 0.08, 1, 0.32), fill=shade(body, -0.18))
    d.ellipse(_r(b, 0.06, 0.12, 0.94, 0.3), fill=(132, 170, 74))
    d.chord(_r(b, 0.04, 0.1, 0.96, 0.9), 20, 160, fill=accent)


def _teapot(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.polygon(_pts(b, "0.28,0.6 0,0.2 0.07,0.15 0.34,0.45"), fill=shade(body, -0.1))
    d.ellipse(_r(b, 0.66, 0.28, 1, 0.78), outline=shade(body, -0.1), width=_w(b, 0.06))
    d.ellipse(_r(b, 0.14, 0.22, 0.86, 1), fill=body)
    d.chord(_r(b, 0.14, 0.22, 0.86, 1), 10, 170, fill=shade(body, -0.12))
    d.ellipse(_r(b, 0.3, 0.14, 0.7, 0.32), fill=shade(body, -0.18))
    d.ellipse(_r(b, 0.45, 0.03, 0.55, 0.18), fill=accent)


def _tee(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.polygon(_pts(b, _TEE), fill=body)
    d.chord(_r(b, 0.37, -0.12, 0.63, 0.12), 0, 180, fill=shade(body, -0.25))
    d.rectangle(_r(b, 0.58, 0.22, 0.68, 0.3), fill=accent)
    d.line(_pts(b, "0.22,0.94 0.78,0.94"), fill=shade(body, -0.15), width=_w(b, 0.015))


def _jacket(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.polygon(_pts(b, _JACKET), fill=body)
    d.polygon(_pts(b, "0.34,-0.04 0.66,-0.04 0.62,0.12 0.38,0.12"), fill=shade(body, -0.2))
    d.line(_pts(b, "0.5,0.04 0.5,1"), fill=accent, width=_w(b, 0.025))
    for x in (0.27, 0.6):
        d.line(_pts(b, f"{x},0.62 {x + 0.13},0.62"), fill=shade(body, -0.25), width=_w(b, 0.02))


def _cap(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.chord(_r(b, 0.3, 0.5, 1.02, 0.98), 0, 180, fill=shade(body, -0.18))
    d.chord(_r(b, 0, 0, 0.78, 1.6), 180, 360, fill=body)
    d.rectangle(_r(b, 0, 0.72, 0.78, 0.8), fill=shade(body, -0.25))
    d.line(_pts(b, "0.39,0.02 0.39,0.72"), fill=shade(body, -0.15), width=_w(b, 0.012))
    d.rounded_rectangle(_r(b, 0.24, 0.36, 0.54, 0.5), radius=_w(b, 0.02), fill=accent)
    d.ellipse(_r(b, 0.35, -0.03, 0.43, 0.05), fill=shade(body, -0.2))


def _beanie(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.ellipse(_r(b, 0.33, 0, 0.67, 0.28), fill=shade(body, 0.3))
    d.rounded_rectangle(_r(b, 0.05, 0.14, 0.95, 0.92), radius=_w(b, 0.4), fill=body)
    d.rounded_rectangle(_r(b, 0, 0.64, 1, 1), radius=_w(b, 0.06), fill=shade(body, -0.12))
    for i in range(1, 12):
        x = i / 12
        d.line(_pts(b, f"{x},0.67 {x},0.97"), fill=shade(body, -0.25), width=_w(b, 0.012))
    d.rectangle(_r(b, 0.42, 0.74, 0.58, 0.88), fill=accent)


def _backpack(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.ellipse(_r(b, 0.34, 0, 0.66, 0.18), outline=shade(body, -0.2), width=_w(b, 0.04))
    d.rounded_rectangle(_r(b, 0, 0.08, 1, 1), radius=_w(b, 0.22), fill=body)
    d.rounded_rectangle(_r(b, 0, 0.08, 1, 0.42), radius=_w(b, 0.22), fill=shade(body, -0.12))
    d.rounded_rectangle(_r(b, 0.16, 0.56, 0.84, 0.92), radius=_w(b, 0.1), fill=shade(body, -0.08))
    d.line(_pts(b, "0.22,0.62 0.78,0.62"), fill=accent, width=_w(b, 0.025))
    for x in (0.22, 0.7):
        d.rectangle(_r(b, x, 0.36, x + 0.08, 0.5), fill=accent)


def _tote(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    for x in (0.18, 0.5):
        d.arc(_r(b, x, 0, x + 0.32, 0.6), 180, 360, fill=(120, 84, 56), width=_w(b, 0.04))
    d.polygon(_pts(b, "0.06,0.3 0.94,0.3 1,1 0,1"), fill=body)
    d.rectangle(_r(b, 0.05, 0.3, 0.95, 0.38), fill=shade(body, -0.15))
    d.rectangle(_r(b, 0.38, 0.55, 0.62, 0.7), fill=accent)


def _socks(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.rectangle(_r(b, 0.2, 0.12, 0.66, 0.7), fill=body)
    d.rounded_rectangle(_r(b, 0.2, 0.55, 1, 0.86), radius=_w(b, 0.15), fill=body)
    d.pieslice(_r(b, 0.2, 0.5, 0.52, 0.86), 90, 180, fill=accent)
    d.rounded_rectangle(_r(b, 0.82, 0.55, 1, 0.86), radius=_w(b, 0.15), fill=accent)
    d.rectangle(_r(b, 0.18, 0, 0.68, 0.16), fill=shade(body, -0.15))
    for x in (0.3, 0.43, 0.56):
        d.line(_pts(b, f"{x},0.02 {x},0.14"), fill=shade(body, -0.3), width=_w(b, 0.015))


def _keyboard(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.rounded_rectangle(b, radius=_w(b, 0.04), fill=body, outline=shade(body, -0.2), width=_w(b, 0.006))
    key = shade(body, 0.55) if sum(body) < 450 else shade(body, -0.12)
    for row in range(4):
        y = 0.12 + row * 0.2
        cols = 9 if row == 3 else 13
        for col in range(cols):
            x0, x1 = 0.04 + col * 0.071, 0.04 + col * 0.071 + 0.062
            if row == 3 and col == 4:
                x1 += 0.071 * 4
            elif row == 3 and col > 4:
                x0, x1 = x0 + 0.071 * 4, x1 + 0.071 * 4
            fill = accent if (row, col) in ((0, 0), (2, 12)) else key
            d.rounded_rectangle(_r(b, x0, y, x1, y + 0.16), radius=_w(b, 0.008), fill=fill)


def _riser(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    for x in (0.06, 0.84):
        d.rectangle(_r(b, x, 0.3, x + 0.1, 1), fill=shade(body, -0.2))
    d.rounded_rectangle(_r(b, 0, 0, 1, 0.36), radius=_w(b, 0.02), fill=body)
    for y in (0.1, 0.18, 0.26):
        d.line(_pts(b, f"0.05,{y} 0.95,{y + 0.02}"), fill=shade(body, -0.1), width=_w(b, 0.004))
    d.rectangle(_r(b, 0.45, 0.3, 0.55, 0.34), fill=accent)


def _mouse(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.ellipse(b, fill=body, outline=shade(body, -0.2), width=_w(b, 0.02))
    d.line(_pts(b, "0.5,0.02 0.5,0.4"), fill=shade(body, -0.25), width=_w(b, 0.02))
    d.rounded_rectangle(_r(b, 0.44, 0.12, 0.56, 0.3), radius=_w(b, 0.05), fill=accent)
    _gloss(d, _r(b, 0.16, 0.35, 0.24, 0.7), body)


def _mat(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    # Drawn in perspective: a flat rectangle reads as a box when it stands in a scene.
    d.polygon(_pts(b, "0.1,0 0.9,0 1,1 0,1"), fill=body)
    d.polygon(
        _pts(b, "0.12,0.1 0.88,0.1 0.96,0.9 0.04,0.9"),
        outline=shade(body, -0.18),
        width=_w(b, 0.005),
    )
    d.rectangle(_r(b, 0.82, 0.7, 0.9, 0.82), fill=accent)


def _lamp(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.ellipse(_r(b, 0.5, 0.26, 0.95, 0.42), fill=(255, 238, 180))
    d.line(
        _pts(b, "0.3,0.92 0.24,0.3 0.68,0.1"),
        fill=shade(body, -0.15),
        width=_w(b, 0.05),
        joint="curve",
    )
    d.polygon(_pts(b, "0.58,0.0 1,0.18 0.92,0.32 0.52,0.12"), fill=body)
    d.ellipse(_r(b, 0.02, 0.86, 0.6, 1), fill=body)
    d.ellipse(_r(b, 0.14, 0.89, 0.48, 0.96), outline=accent, width=_w(b, 0.02))


def _headphones(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.arc(_r(b, 0.08, 0, 0.92, 1.1), 180, 360, fill=body, width=_w(b, 0.08))
    for x in (0, 0.74):
        d.rounded_rectangle(_r(b, x, 0.46, x + 0.26, 0.98), radius=_w(b, 0.1), fill=body)
        d.rounded_rectangle(_r(b, x + 0.06, 0.52, x + 0.2, 0.92), radius=_w(b, 0.06), fill=shade(body, -0.2))
    d.ellipse(_r(b, 0.1, 0.68, 0.16, 0.74), fill=accent)


def _notebook(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    d.rounded_rectangle(_r(b, 0.03, 0.02, 1, 1), radius=_w(b, 0.05), fill=shade(body, 0.8))
    d.rounded_rectangle(_r(b, 0, 0, 0.97, 0.98), radius=_w(b, 0.05), fill=body)
    d.rectangle(_r(b, 0, 0, 0.1, 0.98), fill=shade(body, -0.15))
    d.rectangle(_r(b, 0.8, 0, 0.85, 0.98), fill=shade(body, -0.4))
    d.rounded_rectangle(_r(b, 0.24, 0.14, 0.7, 0.3), radius=_w(b, 0.03), fill=shade(body, 0.7))
    d.rectangle(_r(b, 0.3, 0.2, 0.62, 0.23), fill=accent)


def _plant(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    for i, (x, y) in enumerate(_pairs(_LEAVES)):
        d.line(_pts(b, f"0.5,0.56 {x},{y}"), fill=(70, 110, 64), width=_w(b, 0.015))
        green = (86, 140, 84) if i % 2 else (110, 164, 98)
        d.ellipse(_r(b, x - 0.13, y - 0.1, x + 0.13, y + 0.1), fill=green)
    d.polygon(_pts(b, "0.2,0.56 0.8,0.56 0.72,1 0.28,1"), fill=body)
    d.rectangle(_r(b, 0.16, 0.53, 0.84, 0.62), fill=shade(body, -0.1))
    d.rectangle(_r(b, 0.3, 0.76, 0.7, 0.8), fill=accent)


def _puck(d: Draw, b: Box, body: RGB, accent: RGB) -> None:
    cables = ((222, 106, 58), (92, 104, 220), (240, 240, 240), (46, 94, 70), (40, 42, 46))
    for i, cable in enumerate(cables):
        x = 0.14 + i * 0.18
        d.line(_pts(b, f"{x},0.3 {x + 0.03},0"), fill=cable, width=_w(b, 0.03))
    d.rounded_rectangle(_r(b, 0, 0.28, 1, 1), radius=_w(b, 0.12), fill=body)
    d.rounded_rectangle(_r(b, 0, 0.28, 1, 0.5), radius=_w(b, 0.1), fill=shade(body, 0.25))
    d.rectangle(_r(b, 0.08, 0.82, 0.3, 0.86), fill=accent)


# Scale is a rough real-world height next to the tallest things (jackets, teapots), so a mouse does
# not tower over a lamp when they share a scene.
SHAPES: dict[str, Shape] = {
    "bottle": Shape(_bottle, 0.44, 0.85),
    "dropper": Shape(partial(_bottle, cap="dropper"), 0.42, 0.75),
    "pump": Shape(partial(_bottle, cap="pump"), 0.44, 0.85),
    "flask": Shape(partial(_bottle, label=False), 0.34),
    "jar": Shape(_jar, 1.2, 0.55),
    "tin": Shape(partial(_jar, lid=0.18), 0.72, 0.7),
    "tube": Shape(_tube, 0.38, 0.75),
    "mug": Shape(_mug, 1.15, 0.6),
    "cup": Shape(_cup, 1.0, 0.5),
    "bowl": Shape(_bowl, 1.7, 0.5),
    "teapot": Shape(_teapot, 1.35),
    "tee": Shape(_tee, 1.05),
    "jacket": Shape(_jacket, 0.95),
    "cap": Shape(_cap, 1.35, 0.55),
    "beanie": Shape(_beanie, 0.95, 0.65),
    "backpack": Shape(_backpack, 0.8),
    "tote": Shape(_tote, 0.9),
    "socks": Shape(_socks, 0.75, 0.7),
    "keyboard": Shape(_keyboard, 2.7, 0.5),
    "riser": Shape(_riser, 2.6, 0.5),
    "mouse": Shape(_mouse, 0.62, 0.45),
    "mat": Shape(_mat, 2.4, 0.5),
    "lamp": Shape(_lamp, 0.8),
    "headphones": Shape(_headphones, 1.0),
    "notebook": Shape(_notebook, 0.72, 0.75),
    "plant": Shape(_plant, 0.75),
    "puck": Shape(_puck, 1.8, 0.45),
}


def draw_shape(d: Draw, name: str, box: Box, body: RGB, accent: RGB) -> None:
    SHAPES[name].draw(d, box, body, accent)
