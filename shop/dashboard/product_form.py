"""The product form as HTML sends it ↔ `ProductFormIn`, and back into rows to re-render.

Fields: `name`, `description`, `category`, `image` (repeated, in order: `i:<image id>` kept,
`u:<upload id>` new), and per variant row `v<n>.id|sku|name|options|price|currency|threshold|remove`.
A new row left blank is ignored (the form always offers one). Prices are typed as "12.50" and
options as "Color: Red, Size: M"; each mistake comes back under its own input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.catalog.editing import ProductFormIn
from shop.catalog.models import Product, ProductCategory
from shop.core.i18n import N_
from shop.core.money import exponent, parse_amount
from shop.core.storage import media_url
from shop.notes.models import Upload

_ROW_FIELD = re.compile(r"^v(\d{1,5})\.(id|sku|name|options|price|currency|threshold|remove)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_FRIENDLY = {
    "missing": "Required.",
    "string_too_short": "Required.",
    "string_pattern_mismatch": N_("Letters, digits, dot, dash or underscore only."),
}


@dataclass
class FormRow:
    """One variant row as the merchant typed it (strings), so a re-rendered form keeps every keystroke."""

    id: int | None = None
    sku: str = ""
    name: str = ""
    options: str = ""
    price: str = ""
    currency: str = "USD"
    threshold: str = "0"
    remove: bool = False

    @property
    def blank(self) -> bool:
        return self.id is None and not (self.sku or self.name or self.options or self.price)


@dataclass
class ProductForm:
    name: str = ""
    description: str = ""
    category: str = ProductCategory.OTHER.value
    images: list[str] = field(default_factory=list)  # "i:12" | "u:34", in order
    rows: list[FormRow] = field(default_factory=list)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _first(value: Any) -> str:
    values = _as_list(value)
    return values[0].strip() if values else ""


def read_form(data: dict[str, Any]) -> ProductForm:
    rows: dict[int, FormRow] = {}
    for key, value in data.items():
        if not (match := _ROW_FIELD.match(key)):
            continue
        row = rows.setdefault(int(match.group(1)), FormRow())
        name, text = match.group(2), _first(value)
        if name == "id":
            row.id = int(text) if text.isdigit() and 0 < int(text) <= 2**53 else None
        elif name == "remove":
            row.remove = text not in ("", "0", "false")
        else:
            setattr(row, name, text)
    return ProductForm(
        name=_first(data.get("name")),
        description=_first(data.get("description")),
        category=_first(data.get("category")) or ProductCategory.OTHER.value,
        images=[ref for ref in _as_list(data.get("image")) if re.fullmatch(r"[iu]:\d{1,16}", ref)],
        rows=[rows[n] for n in sorted(rows) if not rows[n].blank],
    )


def money_text(amount: int, currency: str) -> str:
    """1250 USD → "12.50": what the price input shows (no symbol, no thousands separator)."""
    places = exponent(currency)
    whole, minor = divmod(amount, 10**places)
    return f"{whole}.{minor:0{places}d}" if places else str(whole)


def options_text(options: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in options.items())


def _options(text: str) -> dict[str, str] | str:
    found: dict[str, str] = {}
    for piece in filter(None, (p.strip() for p in re.split(r"[,;\n]", text))):
        name, colon, value = piece.partition(":")
        if not colon or not name.strip() or not value.strip():
            return N_("Write options as Name: value, separated by commas (Color: Red, Size: M).")
        found[name.strip()] = value.strip()
    return found


def _row_input(index: int, row: FormRow, errors: dict[str, str]) -> dict[str, Any]:
    prefix = f"variants.{index}"
    currency = row.currency if _CURRENCY.match(row.currency) else "USD"
    body: dict[str, Any] = {"sku": row.sku, "name": row.name, "remove": row.remove}
    if row.id is not None:
        body["id"] = row.id
    try:
        amount = parse_amount(row.price, currency)
    except ValueError:
        amount = None
    if amount is None:
        errors[f"{prefix}.price"] = N_("Enter a price like 12.50 (%(currency)s).", currency=currency)
    else:
        body["price"] = {"amount": amount, "currency": currency}
    if isinstance(options := _options(row.options), str):
        errors[f"{prefix}.options"] = options
    else:
        body["options"] = options
    if row.threshold.isdigit() or not row.threshold:
        body["low_stock_threshold"] = int(row.threshold or 0)
    else:
        errors[f"{prefix}.low_stock_threshold"] = "A whole number of units (0: no warning)."
    return body


def validate(form: ProductForm) -> tuple[ProductFormIn | None, dict[str, str]]:
    """The schema, or every field's problem (keys like `name`, `variants.2.price`)."""
    errors: dict[str, str] = {}
    body = {
        "name": form.name,
        "description": form.description,
        "category": form.category,
        "images": [{"image_id" if ref[0] == "i" else "upload_id": int(ref[2:])} for ref in form.images],
        "variants": [_row_input(i, row, errors) for i, row in enumerate(form.rows)],
    }
    try:
        parsed = ProductFormIn.model_validate(body)
    except ValidationError as error:
        for problem in error.errors():
            key = ".".join(str(part) for part in problem["loc"]) or "form"
            key = re.sub(r"\.price\.(amount|currency)$", ".price", key)
            errors.setdefault(
                key, _FRIENDLY.get(problem["type"], problem["msg"].removeprefix("Value error, "))
            )
        return None, errors
    return (None, errors) if errors else (parsed, errors)


def from_product(product: Product) -> ProductForm:
    return ProductForm(
        name=product.name,
        description=product.description,
        category=product.category,
        images=[f"i:{image.id}" for image in product.images],
        rows=[
            FormRow(
                id=v.id,
                sku=v.sku,
                name=v.name,
                options=options_text(v.options),
                price=money_text(v.price_amount, v.currency),
                currency=v.currency,
                threshold=str(v.low_stock_threshold),
            )
            for v in product.variants
        ],
    )


async def image_urls(
    db: AsyncSession, user: User, product: Product | None, refs: list[str]
) -> list[tuple[str, str]]:
    """(ref, thumbnail url) for every photo the form still knows (a stale ref is dropped)."""
    kept = {f"i:{image.id}": image.thumb_key for image in (product.images if product else [])}
    uploads = [int(ref[2:]) for ref in refs if ref.startswith("u:")]
    stmt = select(Upload.id, Upload.thumb_key).where(Upload.id.in_(uploads), Upload.owner_id == user.id)
    kept.update({f"u:{upload_id}": key for upload_id, key in (await db.execute(stmt)).all()})
    return [(ref, media_url(kept[ref])) for ref in refs if ref in kept]
