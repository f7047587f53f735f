"""Payees' connected accounts: open one (key stored first), onboard, follow `account.updated`."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payments.gateway import ConnectedAccount, StripeGateway
from shop.accounts.models import Role, User
from shop.core.errors import PermissionDenied
from shop.core.keys import new_key
from shop.payouts.models import AccountStatus, PayoutAccount

log = logging.getLogger("zhongcao.payouts")

PAYEE_ROLES = frozenset({Role.CREATOR, Role.MERCHANT})


async def account_of(db: AsyncSession, user_id: int) -> PayoutAccount | None:
    return await db.scalar(select(PayoutAccount).where(PayoutAccount.user_id == user_id))


async def open_account(
    db: AsyncSession, gateway: StripeGateway, user: User, *, country: str, base_url: str, return_path: str
) -> tuple[PayoutAccount, str]:
    """The user's Express account (made once, whatever the retries) and a fresh onboarding link.
    Stripe sends the payee back to `return_path` (their earnings or settlements page) with
    `?onboarding=done`, or `?onboarding=expired` when the link was used or is too old."""
    if user.role not in PAYEE_ROLES:
        raise PermissionDenied("Only creators and merchants are paid out.")
    account = await account_of(db, user.id)
    if account is None:
        account = PayoutAccount(user_id=user.id, idempotency_key=new_key("account-user", user.id))
        db.add(account)
        await db.commit()  # the key is stored before Stripe hears of the account
    if account.stripe_account_id is None:
        created = await gateway.create_account(
            email=user.email,
            country=country,
            idempotency_key=account.idempotency_key,
            metadata={"user_id": str(user.id)},
        )
        account.stripe_account_id = created.id
        apply_status(account, created)
        await db.commit()
    url = await gateway.account_link(
        account.stripe_account_id,
        refresh_url=f"{base_url}{return_path}?onboarding=expired",
        return_url=f"{base_url}{return_path}?onboarding=done",
    )
    return account, url


def apply_status(row: PayoutAccount, account: ConnectedAccount) -> None:
    row.payouts_enabled, row.details_submitted = account.payouts_enabled, account.details_submitted
    if account.payouts_enabled:
        row.status = AccountStatus.ENABLED.value
    elif account.details_submitted:
        row.status = AccountStatus.DISABLED.value  # onboarded once, then payouts were turned off
    else:
        row.status = AccountStatus.ONBOARDING.value


async def account_updated(db: AsyncSession, account: ConnectedAccount) -> bool:
    """`account.updated`, with the account as Stripe has it now. An account we never opened is
    logged and left alone (processed: there is nothing of ours to change)."""
    row = await db.scalar(select(PayoutAccount).where(PayoutAccount.stripe_account_id == account.id))
    if row is None:
        log.warning("account.updated for %s, which is not one of our payees' accounts", account.id)
        return True
    apply_status(row, account)
    await db.flush()
    return True


async def refresh(db: AsyncSession, gateway: StripeGateway, row: PayoutAccount) -> PayoutAccount:
    """Ask Stripe when the webhook may not have come yet (the payee just came back from onboarding)."""
    if row.stripe_account_id and row.status != AccountStatus.ENABLED:
        apply_status(row, await gateway.retrieve_account(row.stripe_account_id))
        await db.flush()
    return row


async def enabled_account(db: AsyncSession, user_id: int) -> str | None:
    """The Stripe account money can be sent to now, if any."""
    row = await account_of(db, user_id)
    if row is None or row.status != AccountStatus.ENABLED or not row.payouts_enabled:
        return None
    return row.stripe_account_id
