"""The address book page: add (re-rendered with messages on bad input), make default, delete."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.addresses import services
from shop.addresses.schemas import NewAddressIn
from shop.addresses.views import countries
from shop.core.errors import AppError
from shop.core.http import safe_path
from shop.core.pages import form_errors, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AddressId = Annotated[int, Parameter(ge=1, le=2**53)]
FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


class AddressPages(Controller):
    path = "/me/addresses"
    include_in_schema = False

    @get("/")
    async def book(self, db_session: AsyncSession, nav: dict[str, Any], user: User) -> Template:
        return await self._page(db_session, nav, user, form={"country": "US"}, errors={})

    @post("/")
    async def add(
        self, db_session: AsyncSession, nav: dict[str, Any], user: User, data: Form
    ) -> Response[Any]:
        fields: dict[str, Any] = {k: data.get(k, "") for k in FIELDS}
        fields["default"] = data.get("default") == "1"
        try:
            await services.add_address(db_session, user, NewAddressIn.model_validate(fields))
        except ValidationError as error:
            return await self._page(db_session, nav, user, form=data, errors=form_errors(error), status=422)
        except AppError as error:
            errors = error.fields or {"form": error.message}
            return await self._page(db_session, nav, user, form=data, errors=errors, status=error.status_code)
        return Redirect(_back(data))

    @post("/{address_id:int}/default")
    async def make_default(self, db_session: AsyncSession, user: User, address_id: AddressId) -> Redirect:
        await services.make_default(db_session, user, address_id)
        return Redirect("/me/addresses")

    @post("/{address_id:int}/delete")
    async def delete(self, db_session: AsyncSession, user: User, address_id: AddressId) -> Redirect:
        await services.delete_address(db_session, user, address_id)
        return Redirect("/me/addresses")

    @staticmethod
    async def _page(
        db: AsyncSession,
        nav: dict[str, Any],
        user: User,
        *,
        form: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        addresses = await services.list_addresses(db, user)
        return render(
            "shop/addresses.html",
            nav,
            status_code=status,
            addresses=addresses,
            countries=countries(),
            form=form,
            errors=errors,
        )


def _back(data: dict[str, str]) -> str:
    return safe_path(data.get("next"), "/me/addresses")
