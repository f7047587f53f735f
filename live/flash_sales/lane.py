"""The reservation lane: `POST /api/v1/flash-sales/{id}/reservations` answered beside Litestar's
chain (shop/core/lanes.py says why), through the same workflow as the route (reserving.py).

It takes the request only when the chain would pass it through untouched:
- a Bearer token and no cookie at all: no session to load or store, no CSRF (as
  `BearerAwareCSRFMiddleware` skips it), no language cookie;
- a JSON body `ReservationIn` accepts, decoded and validated as Litestar does (msgspec, then the
  model in lax mode), and a sale id within `RowId`;
- a token the principal cache or one lookup knows.

Anything else is handed back before any work, and the chain answers it (401, 422, 400…) as
always. Once the workflow starts, its refusals (409, 429) are answered here with the body
`on_app_error` gives, and any other error by the app's exception handlers. The tests send the same
requests through both doors and compare the answers (test_reservation_lane.py).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from live.flash_sales import reserving
from live.flash_sales.schemas import ReservationIn
from shop.accounts.principals import token_principal
from shop.core.errors import AppError
from shop.core.lanes import LaneRequest
from shop.core.schemas import MAX_ID
from shop.core.security import bearer_of

PATH = re.compile(r"/api/v1/flash-sales/([1-9][0-9]{0,15})/reservations")


class ReservationLane:
    def __init__(self, app: Any) -> None:
        self._app = app
        self.answered = 0  # requests this lane answered itself, for the tests and the benchmark

    def claims(self, scope: dict[str, Any]) -> bool:
        return scope["method"] == "POST" and PATH.fullmatch(scope["path"]) is not None

    async def serve(self, request: LaneRequest) -> bool:
        token, data = _bearer_only(request.headers), _reservation(request)
        match = PATH.fullmatch(request.scope["path"])
        sale_id = int(match.group(1)) if match else 0
        if token is None or data is None or not 1 <= sale_id <= MAX_ID:
            return False
        state = self._app.state
        try:
            user_id = await token_principal(state["auth_cache"], state["sessions"], token)
            if user_id is None:
                return False  # the chain's 401, in its words
            async with state["sessions"]() as db:
                parts, ip = state["reservation_parts"], request.client_host
                held = await reserving.reserve(db, parts, user_id, ip, sale_id, data.quantity)
        except AppError as refused:  # the rules' own answers: as on_app_error gives them
            await request.answer_error(refused.status_code, refused.to_body(), refused.retry_after)
        except Exception as error:  # Redis or the database away, or a bug: the handlers decide
            await request.answer_exception(self._app, error)
        else:
            await request.answer(201, held.model_dump(mode="json"))
        self.answered += 1
        return True


def _bearer_only(headers: dict[bytes, bytes]) -> str | None:
    if b"cookie" in headers:
        return None
    return bearer_of(headers.get(b"authorization", b"").decode("latin-1"))


def _reservation(request: LaneRequest) -> ReservationIn | None:
    if not request.headers.get(b"content-type", b"").startswith(b"application/json"):
        return None
    try:
        return ReservationIn.model_validate(msgspec.json.decode(request.body), strict=False)
    except Exception:  # malformed or invalid: the chain says which field, in its words
        return None
