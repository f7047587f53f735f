"""Saved shipping addresses: `GET|POST /api/v1/me/addresses`, `DELETE /api/v1/me/addresses/{id}`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.addresses import services
from shop.addresses.schemas import AddressOut, AddressPage, NewAddressIn

AddressId = Annotated[int, Parameter(ge=1, le=2**53, description="An address of yours.")]


class AddressController(Controller):
    path = "/api/v1/me/addresses"
    tags = ["addresses"]

    @get("/")
    async def list_addresses(self, db_session: AsyncSession, user: User) -> AddressPage:
        rows = await services.list_addresses(db_session, user)
        return AddressPage(items=[AddressOut.model_validate(a) for a in rows])

    @post("/", status_code=HTTP_201_CREATED)
    async def add_address(self, db_session: AsyncSession, user: User, data: NewAddressIn) -> AddressOut:
        return AddressOut.model_validate(await services.add_address(db_session, user, data))

    @post("/{address_id:int}/default", status_code=HTTP_200_OK)
    async def make_default(self, db_session: AsyncSession, user: User, address_id: AddressId) -> AddressOut:
        return AddressOut.model_validate(await services.make_default(db_session, user, address_id))

    @delete("/{address_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def delete_address(self, db_session: AsyncSession, user: User, address_id: AddressId) -> None:
        await services.delete_address(db_session, user, address_id)
