"""`GET /api/v1/operator/books`: the audit's findings and the platform's money, as JSON."""

from __future__ import annotations

from shop.audit.books import Books
from shop.core.schemas import MoneyOut, Output


class FindingOut(Output):
    code: str  # I1 … I5
    check: str
    violations: int
    detail: str
    ok: bool


class FeeIncomeOut(Output):
    currency: str
    charged: MoneyOut  # the fee fixed on the sent merchant transfers
    taken_back: MoneyOut  # what later refunds took back of it
    kept: MoneyOut  # the platform's fee income now


class PayeeOut(Output):
    id: int
    display_name: str


class DebtOut(Output):
    payee: PayeeOut
    owed: MoneyOut


class BooksOut(Output):
    ok: bool
    findings: list[FindingOut]
    platform_fee_bps: int
    fee_income: list[FeeIncomeOut]
    transfers: dict[str, int]  # count by state: planned, sending, sent, failed
    reversals: dict[str, int]  # count by state: planned, sending, sent, refused
    debts: list[DebtOut]


def books_out(books: Books) -> BooksOut:
    def money(amount: int, currency: str) -> MoneyOut:
        return MoneyOut(amount=amount, currency=currency)

    return BooksOut(
        ok=books.ok,
        findings=[
            FindingOut(code=f.code, check=f.check, violations=f.violations, detail=f.detail, ok=f.ok)
            for f in books.findings
        ],
        platform_fee_bps=books.fee_bps,
        fee_income=[
            FeeIncomeOut(
                currency=i.currency,
                charged=money(i.charged, i.currency),
                taken_back=money(i.taken_back, i.currency),
                kept=money(i.kept, i.currency),
            )
            for i in books.fee_income
        ],
        transfers=books.transfers,
        reversals=books.reversals,
        debts=[
            DebtOut(
                payee=PayeeOut(id=d.payee_id, display_name=d.display_name), owed=money(d.amount, d.currency)
            )
            for d in books.debts
        ],
    )
