"""The address book, and the one rule checkout asks of it: which address does this order ship to?"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shop.accounts.models import User
from shop.addresses.models import Address
from shop.addresses.schemas import AddressIn, NewAddressIn
from shop.core.errors import InvalidInput, NotFound
from shop.core.i18n import N_

MAX_ADDRESSES = 20


async def _lock_book(db: AsyncSession, user: User) -> None:
    """Serialise writes to one user's book (a row lock on PostgreSQL, the write lock on SQLite), so
    two tabs saving "default" at once cannot both win."""
    await db.execute(update(User).where(User.id == user.id).values(id=User.id))


async def list_addresses(db: AsyncSession, user: User) -> Sequence[Address]:
    stmt = select(Address).where(Address.user_id == user.id)
    return (await db.scalars(stmt.order_by(Address.is_default.desc(), Address.id.desc()))).all()


async def add_address(db: AsyncSession, user: User, data: NewAddressIn) -> Address:
    await _lock_book(db, user)
    count = await db.scalar(select(func.count()).where(Address.user_id == user.id)) or 0
    if count >= MAX_ADDRESSES:
        raise InvalidInput(
            N_("You can keep up to %(n)s addresses.", n=MAX_ADDRESSES), fields={"form": "Delete one first."}
        )
    make_default = data.default or count == 0  # the first address is the default
    if make_default:
        await _clear_default(db, user)
    address = Address(user_id=user.id, is_default=make_default, **data.model_dump(exclude={"default"}))
    db.add(address)
    await db.flush()
    return address


async def _clear_default(db: AsyncSession, user: User) -> None:
    await db.execute(
        update(Address).where(Address.user_id == user.id, Address.is_default).values(is_default=False)
    )
    await db.flush()


async def get_address(db: AsyncSession, user: User, address_id: int) -> Address:
    address = await db.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFound("No such address.")
    return address


async def make_default(db: AsyncSession, user: User, address_id: int) -> Address:
    await _lock_book(db, user)
    address = await get_address(db, user, address_id)
    await _clear_default(db, user)
    address.is_default = True
    await db.flush()
    return address


async def delete_address(db: AsyncSession, user: User, address_id: int) -> None:
    """Deleting the default promotes the newest remaining address, as shops do."""
    await _lock_book(db, user)
    address = await get_address(db, user, address_id)
    was_default = address.is_default
    await db.delete(address)
    await db.flush()
    if was_default:
        newest = await db.scalar(
            select(Address).where(Address.user_id == user.id).order_by(Address.id.desc()).limit(1)
        )
        if newest is not None:
            newest.is_default = True
            await db.flush()


async def default_address(db: AsyncSession, user: User) -> Address | None:
    return await db.scalar(select(Address).where(Address.user_id == user.id, Address.is_default))


async def shipping_for_checkout(
    db: AsyncSession, user: User, shipping_address: AddressIn | None, address_id: int | None
) -> dict[str, str]:
    """The address an order ships to: the one sent, else a saved one, else the default; else 422.

    A sent address is validated by the request schema (`AddressIn`), field by field."""
    if shipping_address is not None:
        return shipping_address.model_dump()
    if address_id is not None:
        return (await get_address(db, user, address_id)).as_dict()
    default = await default_address(db, user)
    if default is None:
        raise InvalidInput("Where should we ship it?", fields={"shipping_address": "Add a shipping address."})
    return default.as_dict()
