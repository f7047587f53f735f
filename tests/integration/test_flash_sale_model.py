"""A hypothesis state machine drives one sale through reserve, pay, fail, expire and gate loss
("reconnect"), against the real DB and gate, and checks the ledger's books after every step."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from live.flash_sales import services
from live.flash_sales.gate import MemoryGate
from live.flash_sales.models import FlashSale, FlashSaleHold, SaleHoldState
from live.models import Stream
from shop.accounts.models import Merchant, User
from shop.catalog.models import Product, Variant
from shop.core.db import build_engine
from shop.core.errors import AppError
from shop.settings import Settings

QUANTITY, LIMIT, USERS = 6, 3, 4


class SaleMachine(RuleBasedStateMachine):
    config: Settings

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.engine = build_engine(self.config)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.gate = MemoryGate()
        # Unique per machine: id(self) is reused once an earlier machine is collected, and its rows stay.
        self.tag = uuid.uuid4().hex[:12]

    def run(self, coro):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coro)

    @initialize()
    def open_sale(self) -> None:
        self.sale_id, self.users = self.run(self._setup())

    async def _setup(self) -> tuple[int, list[int]]:
        now = datetime.now(UTC)
        stamp = {"created_at": now, "updated_at": now}
        async with self.sessions() as db, db.begin():
            users = (
                (
                    await db.execute(
                        insert(User).returning(User.id),
                        [
                            {
                                "email": f"model{i}-{self.tag}@x.test",
                                "password_hash": "x",
                                "display_name": f"u{i}",
                                "role": "merchant" if i == 0 else "shopper",
                                "bio": "",
                                "avatar_hue": 1,
                                "follower_count": 0,
                                "following_count": 0,
                                **stamp,
                            }
                            for i in range(USERS + 1)
                        ],
                    )
                )
                .scalars()
                .all()
            )
            merchant = Merchant(owner_id=users[0], name="M", slug=f"m-{self.tag}")
            db.add(merchant)
            await db.flush()
            product = Product(merchant_id=merchant.id, name="P", images=[], variants=[])
            db.add(product)
            await db.flush()
            variant = Variant(
                product_id=product.id,
                sku=f"SKU-{self.tag}",
                name="V",
                price_amount=1000,
                currency="USD",
                stock_on_hand=0,
            )
            stream = Stream(host_id=users[0], title="S")
            db.add_all([variant, stream])
            await db.flush()
            sale = FlashSale(
                stream_id=stream.id,
                variant_id=variant.id,
                quantity=QUANTITY,
                price_amount=500,
                currency="USD",
                per_customer_limit=LIMIT,
                starts_at=now - timedelta(seconds=1),
                ends_at=now + timedelta(hours=1),
                hold_seconds=600,
            )
            db.add(sale)
            await db.flush()
            return sale.id, list(users[1:])

    @rule(user=st.integers(0, USERS - 1), quantity=st.integers(1, LIMIT))
    def reserve(self, user: int, quantity: int) -> None:
        async def go() -> None:
            async with self.sessions() as db:
                try:
                    await services.reserve(db, self.gate, self.sale_id, self.users[user], quantity)
                    await db.commit()
                except AppError:
                    await db.rollback()

        self.run(go())

    def _transition(self, target: SaleHoldState, then: str) -> None:
        async def go() -> None:
            async with self.sessions() as db, db.begin():
                hold = await db.scalar(
                    select(FlashSaleHold)
                    .where(FlashSaleHold.sale_id == self.sale_id, FlashSaleHold.state == SaleHoldState.HELD)
                    .limit(1)
                )
                if hold is None:
                    return
                moved = await db.execute(
                    update(FlashSaleHold)
                    .where(FlashSaleHold.id == hold.id, FlashSaleHold.state == SaleHoldState.HELD)
                    .values(state=target)
                )
                if moved.rowcount:  # type: ignore[attr-defined]
                    await getattr(self.gate, then)(self.sale_id, hold.reservation_id)

        self.run(go())

    @rule()
    def pay(self) -> None:
        self._transition(SaleHoldState.SOLD, "settle")

    @rule()
    def payment_fails_and_is_released(self) -> None:
        self._transition(SaleHoldState.RELEASED, "release")

    @rule()
    def expire_all(self) -> None:
        async def go() -> None:
            async with self.sessions() as db, db.begin():
                await db.execute(
                    update(FlashSaleHold)
                    .where(FlashSaleHold.sale_id == self.sale_id)
                    .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
                )
            async with self.sessions() as db, db.begin():
                await services.expire(db, self.gate)

        self.run(go())

    @rule()
    def gate_lost(self) -> None:
        self.run(self.gate.forget(self.sale_id))  # like Redis restarting empty: the next reserve rebuilds

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "sale_id"):
            return

        async def check() -> None:
            async with self.sessions() as db:
                sale = await db.get(FlashSale, self.sale_id)
                assert sale is not None
                books = await services.ledger(db, self.gate, sale)
                assert books.invariant_ok, books
                assert books.sold + books.held <= QUANTITY
                rows = (
                    await db.execute(
                        select(FlashSaleHold.user_id, FlashSaleHold.quantity).where(
                            FlashSaleHold.sale_id == self.sale_id,
                            FlashSaleHold.state.in_([SaleHoldState.HELD, SaleHoldState.SOLD]),
                        )
                    )
                ).all()
                per_user: dict[int, int] = {}
                for user_id, quantity in rows:
                    per_user[user_id] = per_user.get(user_id, 0) + quantity
                assert all(total <= LIMIT for total in per_user.values()), per_user

        self.run(check())

    def teardown(self) -> None:
        async def close() -> None:
            if hasattr(self, "sale_id"):
                async with self.sessions() as db, db.begin():
                    await db.execute(delete(FlashSaleHold).where(FlashSaleHold.sale_id == self.sale_id))
            await self.engine.dispose()

        self.run(close())
        self.loop.close()


def test_a_sale_keeps_its_books_through_any_sequence(base_settings: Settings) -> None:
    SaleMachine.config = base_settings
    runner = SaleMachine.TestCase
    runner.settings = settings(
        max_examples=25, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    runner().runTest()
