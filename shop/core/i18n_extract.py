"""A Babel extractor for our Python: gettext calls, and the messages our errors are raised with.

Babel's own Python extractor would need a `_()` at each of the ~200 raises; worse, given
`InvalidInput(fields={"text": "Say something."})` it glues the key to the value. This one reads the
syntax tree: `_ / gettext / N_ ("...")`, `ngettext("...", "...", n)`, and for a call of an error class
(`NotFound("...")`, `errors.Conflict("...")`) its first argument, `message=`, and each string value of
a `fields={...}` dict, which is what `AppError.to_body` translates at answer time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

GETTEXT = {"_", "gettext", "N_"}
PLURAL = {"ngettext"}
ERRORS = {
    "AppError", "InvalidInput", "AuthenticationRequired", "InvalidCredentials", "PermissionDenied",
    "NotFound", "Conflict", "AlreadyExists", "OutOfStock", "PayloadTooLarge", "RateLimited",
    "ServiceUnavailable",
    "EmptyCart", "SaleRefused", "RefundRefused", "AlreadyShipped", "NotShippable", "NotScheduled",
    "ShopUnavailable", "ImportRejected", "Muted", "Blocked", "CommentsOff", "SlowMode",
}  # fmt: skip

Found = tuple[int, str, Any, list[str]]


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _text(node: ast.expr | None) -> str | None:
    return (
        node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value else None
    )


def _from_error(call: ast.Call) -> Iterator[str]:
    if call.args and (first := _text(call.args[0])):
        yield first
    for keyword in call.keywords:
        if keyword.arg == "message" and (text := _text(keyword.value)):
            yield text
        if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
            yield from (text for value in keyword.value.values if (text := _text(value)))


def _from_call(call: ast.Call) -> Iterator[tuple[str, Any]]:
    name = _name(call.func)
    if name in GETTEXT and call.args and (text := _text(call.args[0])):
        yield name, text
    elif name in PLURAL and len(call.args) >= 2:
        singular, plural = _text(call.args[0]), _text(call.args[1])
        if singular and plural:
            yield name, (singular, plural)
    elif name in ERRORS:
        yield from ((name, text) for text in _from_error(call))


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]) -> Iterator[Found]:
    """Babel's extractor protocol: (line, function, message or (singular, plural), comments)."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for name, message in _from_call(node):
                yield node.lineno, name if name in PLURAL else "_", message, []
