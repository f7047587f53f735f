"""Schemathesis over the whole OpenAPI schema, signed in as each role: no input makes a 5xx, and
every answer the schema describes matches it (issue 13: a fuzzer had found 5xx on 21 operations).

Each operation gets a few schema-valid and a few schema-breaking examples (a fixed seed, so a
run repeats), sent over real HTTP to the in-process server with the role's session cookie and CSRF
token. A separate check holds every input bounded in the schema, which the fuzzer needs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.helpers import Client

EXAMPLES = 6
CHECKS = [not_a_server_error, response_schema_conformance]

# Operations that end the caller's own credentials run last, so every other operation is swept
# signed in (a generated id can name the sweep's own token or session).
LAST = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/me/sessions/sign-out-others"),
    ("DELETE", "/api/v1/me/sessions/{session_id}"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
}


def _ordered(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: (op.method.upper(), op.path) in LAST)


def _probe(operation: Any, mode: GenerationMode, send: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        send(case)

    try:
        run()
    except Unsatisfiable:
        # Nothing to break: an operation without parameters or body has no negative examples.
        assert mode is GenerationMode.NEGATIVE


def _sweep(raw: dict[str, Any], base_url: str, cookies: dict[str, str]) -> list[str]:
    """Every operation, both modes; returns one line per distinct failure."""
    schema = schemathesis.openapi.from_dict(raw)
    headers = {"X-CSRFToken": cookies["csrftoken"]}
    found: dict[str, str] = {}
    statuses: dict[int, int] = {}
    with requests.Session() as session:
        session.cookies.update(cookies)

        def send(case: Any) -> None:
            response = case.call(base_url=base_url, session=session, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = f"{case.operation.label}: {failure.title}"
                    found.setdefault(key, f"{key} <- {case.as_curl_command(headers=headers)}")

        for operation in _ordered(schema):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _probe(operation, mode, send)
    print(f"{sum(statuses.values())} requests, by status: {dict(sorted(statuses.items()))}")
    return sorted(found.values())


@pytest.fixture(params=["shopper", "creator", "merchant", "operator"])
def signed_in(request: pytest.FixtureRequest) -> Client:
    """The role's own fixture from conftest (async fixtures are resolved outside the test's loop)."""
    browser: Client = request.getfixturevalue(request.param)
    return browser


async def test_no_input_makes_a_server_error(signed_in: Client, app: Litestar, served: str) -> None:
    browser, role = signed_in, signed_in.me["role"]
    await browser.csrf()
    cookies = {name: str(value) for name, value in browser.cookies.items()}
    raw = (await browser.get("/schema/openapi.json")).json()
    started = time.monotonic()
    failures = await asyncio.to_thread(_sweep, raw, served, cookies)
    print(f"sweep as {role}: {time.monotonic() - started:.1f} s")
    assert failures == [], "\n".join(failures)


def _unbounded(
    schema: dict[str, Any], where: str, components: dict[str, Any], out: list[str], single_line: bool = False
) -> None:
    """Inputs in `schema` that have no bound: an integer without a maximum, a string without a
    maxLength, and a path or query string without a pattern (PRINTABLE or narrower: a NUL would
    reach PostgreSQL). Body strings are checked for control characters by `Input` instead.

    What Litestar's schema cannot say is enforced at run time and not asked for here: it drops
    the constraints on a list's items and a dict's keys and values (pydantic still checks them,
    and `Input` refuses control characters and integers beyond a BIGINT in any of them), and a
    zero lower bound (it skips falsy bounds), so only the upper one is required."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if f">{name}" not in where:
            _unbounded(components[name], f"{where}>{name}", components, out)
        return
    branches = schema.get("oneOf") or schema.get("anyOf") or schema.get("allOf")
    if branches:
        outer = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "allOf")}
        for branch in branches:
            _unbounded({**outer, **branch}, where, components, out, single_line)
        return
    kinds = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "integer" in kinds and "maximum" not in schema:
        out.append(f"{where} (integer without a maximum)")
    fixed = "enum" in schema or "const" in schema or "format" in schema
    if "string" in kinds and "maxLength" not in schema and not fixed:
        out.append(f"{where} (string without a maxLength)")
    if "string" in kinds and single_line and "pattern" not in schema and not fixed:
        out.append(f"{where} (string without a pattern)")
    for name, field in schema.get("properties", {}).items():
        _unbounded(field, f"{where}.{name}", components, out)


def _unbounded_inputs(raw: dict[str, Any]) -> list[str]:
    components = raw.get("components", {}).get("schemas", {})
    out: list[str] = []
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                where = f"{method.upper()} {path} {param['in']}:{param['name']}"
                if param["in"] in ("path", "query"):
                    _unbounded(param["schema"], where, components, out, single_line=True)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _unbounded(media.get("schema", {}), f"{method.upper()} {path} body", components, out)
    return out


async def test_every_input_is_bounded_in_the_schema(client: Client) -> None:
    """The fuzzer only finds an unbounded id by luck; this finds every one: each integer a
    client sends has a maximum and each string a maxLength, in paths, queries and bodies."""
    raw = (await client.get("/schema/openapi.json")).json()
    assert _unbounded_inputs(raw) == []
