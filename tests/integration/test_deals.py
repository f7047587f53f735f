"""Offers and deals through the API: every transition, and the refusals the issue lists."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.deals.models import HeldFee
from tests.helpers import Client, make_note, make_product
from tests.integration.deal_helpers import active_deal, paid_offer, send_offer, submitted_note
from tests.payments_helpers import authenticate_3ds, card


async def _fee(db: AsyncSession, offer_id: int) -> HeldFee:
    fee = await db.scalar(
        select(HeldFee).where(HeldFee.offer_id == offer_id).execution_options(populate_existing=True)
    )
    assert fee is not None
    return fee


async def test_offer_with_a_fee_reaches_the_creator_only_once_paid(
    merchant: Client, creator: Client, db: AsyncSession
) -> None:
    offer = await send_offer(merchant, creator.id)
    assert offer["status"] == "awaiting_payment"
    assert (await creator.get(f"/api/v1/offers/{offer['id']}")).status_code == 404
    assert (await creator.get("/api/v1/offers?role=creator")).json()["items"] == []
    paid = await merchant.post(f"/api/v1/offers/{offer['id']}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.json()["status"] == "sent"
    assert paid.json()["fee"]["state"] == "held"
    listed = (await creator.get("/api/v1/offers?role=creator")).json()["items"]
    assert [o["id"] for o in listed] == [offer["id"]]
    inbox = (await creator.get("/api/v1/notifications")).json()["items"]
    assert any(n["kind"] == "deal" and "offer" in n["subject"] for n in inbox)
    fee = await _fee(db, offer["id"])
    assert fee.idempotency_key.startswith(f"offer-{offer['id']}-fee-1-")
    assert fee.payment_intent_id


async def test_offer_without_fee_is_sent_at_once(merchant: Client, creator: Client) -> None:
    offer = await send_offer(merchant, creator.id, fee=None)
    assert offer["status"] == "sent"
    assert offer["fee"] is None
    accepted = await creator.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["deal"]["status"] == "active"


async def test_declined_card_then_another_card(
    merchant: Client, creator: Client, stripe_sandbox: str, db: AsyncSession
) -> None:
    offer = await send_offer(merchant, creator.id)
    declined = await merchant.post(
        f"/api/v1/offers/{offer['id']}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000000000000341")},
    )
    assert declined.status_code == 402
    assert (await merchant.get(f"/api/v1/offers/{offer['id']}")).json()["status"] == "awaiting_payment"
    retry = await merchant.post(f"/api/v1/offers/{offer['id']}/pay", json={"payment_method": "pm_card_visa"})
    assert retry.json()["status"] == "sent"
    fee = await _fee(db, offer["id"])
    assert fee.attempt == 2
    assert fee.idempotency_key.startswith(f"offer-{offer['id']}-fee-2-")


async def test_fee_needing_3ds_is_sent_after_the_challenge(
    merchant: Client, creator: Client, stripe_sandbox: str
) -> None:
    offer = await send_offer(merchant, creator.id)
    challenged = await merchant.post(
        f"/api/v1/offers/{offer['id']}/pay",
        json={"payment_method": await card(stripe_sandbox, "4000002500003155")},
    )
    payment = challenged.json()["payment"]
    assert (challenged.json()["status"], payment["status"]) == ("awaiting_payment", "requires_action")
    assert (await creator.get(f"/api/v1/offers/{offer['id']}")).status_code == 404
    await authenticate_3ds(
        stripe_sandbox, payment["payment_intent_id"], payment["client_secret"], success=True
    )
    assert (await merchant.get(f"/api/v1/offers/{offer['id']}")).json()["status"] == "sent"
    assert (await creator.get(f"/api/v1/offers/{offer['id']}")).json()["status"] == "sent"


async def test_decline_refunds_the_fee_in_full(merchant: Client, creator: Client, db: AsyncSession) -> None:
    offer = await paid_offer(merchant, creator.id)
    declined = await creator.post(f"/api/v1/offers/{offer['id']}/decline")
    assert declined.json()["status"] == "declined"
    assert declined.json()["fee"]["state"] == "refunded"
    assert declined.json()["fee"]["refunded"]["amount"] == 5000
    fee = await _fee(db, offer["id"])
    assert fee.refund_key is not None
    assert fee.refund_key.startswith(f"offer-{offer['id']}-fee-refund-")
    assert fee.stripe_refund_id


async def test_withdrawn_offer_cannot_be_accepted_and_is_refunded(merchant: Client, creator: Client) -> None:
    offer = await paid_offer(merchant, creator.id)
    withdrawn = await merchant.post(f"/api/v1/offers/{offer['id']}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["fee"]["state"] == "refunded"
    late = await creator.post(f"/api/v1/offers/{offer['id']}/accept")
    assert late.status_code == 409
    assert late.json()["fields"]["status"] == "withdrawn"


async def test_expired_offer_is_refused_and_the_job_refunds_it(
    merchant: Client, creator: Client, clock: ModuleType, app: object
) -> None:
    from shop.deals import jobs
    from shop.notifications.services import Notifier

    offer = await paid_offer(merchant, creator.id)
    clock.advance(timedelta(days=8))
    refused = await creator.post(f"/api/v1/offers/{offer['id']}/accept")
    assert refused.status_code == 409
    assert refused.json()["fields"]["status"] == "expired"
    state = app.state  # type: ignore[attr-defined]
    counts = await jobs.run_pass(
        state.sessions, app.dependencies["gateway"].dependency(), Notifier(lambda *_: None)
    )  # type: ignore[attr-defined]
    assert counts["offers expired"] == 1
    assert counts["fee refunds sent"] >= 0
    shown = (await merchant.get(f"/api/v1/offers/{offer['id']}")).json()
    assert shown["status"] == "expired"
    assert shown["fee"]["state"] == "refunded"


async def test_accepting_twice_at_once_makes_one_deal(merchant: Client, creator: Client) -> None:
    offer = await paid_offer(merchant, creator.id)
    first, second = await asyncio.gather(
        creator.post(f"/api/v1/offers/{offer['id']}/accept"),
        creator.post(f"/api/v1/offers/{offer['id']}/accept"),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert len((await creator.get("/api/v1/deals?role=creator")).json()["items"]) == 1


async def test_offers_only_from_merchants_to_creators(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    to_shopper = await send_offer(merchant, shopper.id, expect=422)
    assert "creator_id" in to_shopper["fields"]
    from_creator = await creator.post(
        "/api/v1/offers",
        json={
            "creator_id": creator.id,
            "product_ids": [1],
            "deliverable": "note",
            "brief": "x",
            "due_at": "2030-01-01T00:00:00Z",
        },
    )
    assert from_creator.status_code == 403


async def test_offer_products_must_be_the_merchants_own(
    merchant: Client, other_merchant: Client, creator: Client
) -> None:
    theirs = await make_product(other_merchant, "Not Yours")
    refused = await send_offer(merchant, creator.id, [theirs["id"]], expect=422)
    assert str(theirs["id"]) in refused["fields"]["product_ids"]


async def test_note_deal_from_submission_to_published(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    assert deal["next_action"]["who"] == "creator"
    note = await submitted_note(creator, deal)
    shown = (await merchant.get(f"/api/v1/deals/{deal['id']}")).json()
    assert shown["status"] == "submitted"
    assert shown["bound"]["note_id"] == note["id"]
    assert shown["next_action"]["who"] == "merchant"
    changes = await merchant.post(
        f"/api/v1/deals/{deal['id']}/request-changes", json={"message": "Show the label"}
    )
    assert changes.json()["status"] == "changes_requested"
    assert changes.json()["changes_left"] == 2
    again = await creator.post(f"/api/v1/deals/{deal['id']}/submit", json={"note_id": note["id"]})
    assert again.json()["status"] == "submitted"
    approved = await merchant.post(f"/api/v1/deals/{deal['id']}/approve")
    body = approved.json()
    assert body["status"] == "published"  # the note was already public
    assert [r["kind"] for r in body["rounds"]] == ["submitted", "changes_requested", "submitted", "approved"]
    assert body["rounds"][1]["message"] == "Show the label"
    assert body["fee"]["state"] == "releasable"
    disclosed = (await creator.get(f"/api/v1/notes/{note['id']}")).json()["disclosure"]
    assert disclosed["kind"] == "paid_partnership"
    assert disclosed["deal_id"] == deal["id"]
    assert disclosed["brand"] == {"id": deal["merchant"]["id"], "name": deal["merchant"]["name"]}
    heard_by_brand = [n["subject"] for n in (await merchant.get("/api/v1/notifications")).json()["items"]]
    heard_by_creator = [n["subject"] for n in (await creator.get("/api/v1/notifications")).json()["items"]]
    for step in ("accepted your offer", "submitted work for review", "partnership published"):
        assert any(step in subject for subject in heard_by_brand), step
    for step in ("sent you an offer", "asked for changes", "approved the work", "partnership published"):
        assert any(step in subject for subject in heard_by_creator), step


async def test_a_draft_is_published_after_approval(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    note = await make_note(creator, [deal["products"][0]["id"]])
    draft = await creator.patch(f"/api/v1/notes/{note['id']}", json={"title": "Draft stays"})
    assert draft.status_code == 200
    await creator.post(f"/api/v1/deals/{deal['id']}/submit", json={"note_id": note["id"]})
    frozen = await creator.patch(f"/api/v1/notes/{note['id']}", json={"title": "Sneaky edit"})
    assert frozen.status_code == 409


async def test_fourth_request_for_changes_disputes(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    note = await submitted_note(creator, deal)
    for _ in range(3):
        r = await merchant.post(f"/api/v1/deals/{deal['id']}/request-changes", json={"message": "Again"})
        assert r.json()["status"] == "changes_requested"
        await creator.post(f"/api/v1/deals/{deal['id']}/submit", json={"note_id": note["id"]})
    fourth = await merchant.post(f"/api/v1/deals/{deal['id']}/request-changes", json={"message": "No"})
    assert fourth.json()["status"] == "disputed"
    assert fourth.json()["next_action"]["who"] == "operator"


async def test_refusals_by_role_and_owner(
    merchant: Client, other_merchant: Client, creator: Client, shopper: Client
) -> None:
    deal = await active_deal(merchant, creator)
    stranger_note = await make_note(shopper, [])
    theirs = await creator.post(f"/api/v1/deals/{deal['id']}/submit", json={"note_id": stranger_note["id"]})
    assert theirs.status_code == 404
    await submitted_note(creator, deal)
    as_creator = await creator.post(f"/api/v1/deals/{deal['id']}/approve")
    assert as_creator.status_code == 403
    as_other = await other_merchant.post(f"/api/v1/deals/{deal['id']}/approve")
    assert as_other.status_code == 404
    assert (await shopper.get(f"/api/v1/deals/{deal['id']}")).status_code == 404


async def test_deadline_passing_while_changes_requested_expires_and_refunds(
    merchant: Client, creator: Client, clock: ModuleType, app: object
) -> None:
    from shop.deals import jobs
    from shop.notifications.services import Notifier

    deal = await active_deal(merchant, creator)
    await submitted_note(creator, deal)
    await merchant.post(f"/api/v1/deals/{deal['id']}/request-changes", json={"message": "Redo"})
    clock.advance(timedelta(days=11))
    state = app.state  # type: ignore[attr-defined]
    gateway = app.dependencies["gateway"].dependency()  # type: ignore[attr-defined]
    counts = await jobs.run_pass(state.sessions, gateway, Notifier(lambda *_: None))
    assert counts["deals expired"] == 1
    shown = (await creator.get(f"/api/v1/deals/{deal['id']}")).json()
    assert shown["status"] == "expired"
    assert shown["fee"]["state"] == "refunded"


async def test_protected_note_cannot_be_deleted(merchant: Client, creator: Client, clock: ModuleType) -> None:
    deal = await active_deal(merchant, creator)
    note = await submitted_note(creator, deal)
    await merchant.post(f"/api/v1/deals/{deal['id']}/approve")
    refused = await creator.delete(f"/api/v1/notes/{note['id']}")
    assert refused.status_code == 409
    clock.advance(timedelta(days=31))
    assert (await creator.delete(f"/api/v1/notes/{note['id']}")).status_code == 204


async def test_bound_note_keeps_its_label(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    refused = await creator.post(
        "/api/v1/notes",
        json={
            "title": "Gifted?",
            "images": [{"upload_id": (await _upload(creator)), "tags": []}],
            "deal_id": deal["id"],
            "disclosure": {"kind": "gifted"},
        },
    )
    assert refused.status_code == 422
    assert "disclosure" in refused.json()["fields"]


async def _upload(client: Client) -> int:
    from tests.helpers import upload

    return int((await upload(client))["upload_id"])


async def test_xss_in_brief_and_change_request_is_stored_as_text(merchant: Client, creator: Client) -> None:
    script = "<script>alert(1)</script>"
    deal = await active_deal(merchant, creator, brief=script)
    assert deal["brief"] == script
    await submitted_note(creator, deal)
    await merchant.post(f"/api/v1/deals/{deal['id']}/request-changes", json={"message": script})
    page = await creator.get(f"/deals/{deal['id']}")
    assert page.status_code == 200
    assert script not in page.text
    assert "&lt;script&gt;" in page.text


async def test_cancel_by_one_side_disputes_and_operator_splits(
    merchant: Client, creator: Client, operator: Client
) -> None:
    deal = await active_deal(merchant, creator)
    asked = await creator.post(f"/api/v1/deals/{deal['id']}/cancel", json={"reason": "Sick"})
    assert asked.json()["status"] == "disputed"
    disputes = (await operator.get("/api/v1/operator/disputes")).json()["items"]
    assert [d["id"] for d in disputes] == [deal["id"]]
    assert (
        await creator.post(f"/api/v1/deals/{deal['id']}/settle", json={"outcome": "refund"})
    ).status_code == 403
    split = await operator.post(
        f"/api/v1/deals/{deal['id']}/settle", json={"outcome": "split", "creator_share_bps": 4000}
    )
    body = split.json()
    assert body["status"] == "completed"
    assert body["settlement"] == "split"
    assert body["fee"]["refunded"]["amount"] == 3000
    assert body["fee"]["releasable"]["amount"] == 2000


async def test_both_sides_cancelling_cancels_and_refunds(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    await merchant.post(f"/api/v1/deals/{deal['id']}/cancel", json={})
    both = await creator.post(f"/api/v1/deals/{deal['id']}/cancel", json={})
    assert both.json()["status"] == "canceled"
    assert both.json()["fee"]["state"] == "refunded"


async def test_note_written_for_a_deal_carries_its_label(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    created = await creator.post(
        "/api/v1/notes",
        json={
            "title": "For the deal",
            "images": [{"upload_id": await _upload(creator), "tags": []}],
            "deal_id": deal["id"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["disclosure"]["kind"] == "paid_partnership"
    shown = (await creator.get(f"/api/v1/deals/{deal['id']}")).json()
    assert shown["bound"]["note_id"] == created.json()["id"]


async def test_pages_for_each_side(
    merchant: Client, creator: Client, operator: Client, shopper: Client
) -> None:
    offer = await paid_offer(merchant, creator.id)
    offers_page = await creator.get("/deals?tab=offers")
    assert f'data-offer-id="{offer["id"]}"' in offers_page.text
    offer_page = await creator.get(f"/offers/{offer['id']}")
    assert "data-accept" in offer_page.text
    assert "data-withdraw" not in offer_page.text
    assert "data-withdraw" in (await merchant.get(f"/offers/{offer['id']}")).text
    assert (await shopper.get(f"/offers/{offer['id']}")).status_code == 404
    accepted = await creator.post(f"/offers/{offer['id']}/accept", follow_redirects=False)
    assert accepted.status_code in (302, 303)
    deal_url = accepted.headers["location"]
    assert "data-write-note" in (await creator.get(deal_url)).text
    asked = await merchant.post(f"{deal_url}/cancel", data={"reason": "Budget cut"}, follow_redirects=False)
    assert asked.status_code in (302, 303)
    disputes = await operator.get("/operator/disputes")
    assert deal_url.rsplit("/", 1)[1] in disputes.text
    assert "Budget cut" in disputes.text
    assert (await creator.get("/operator/disputes")).status_code == 403
    settled = await operator.post(f"{deal_url}/settle", data={"outcome": "refund"}, follow_redirects=False)
    assert settled.status_code in (302, 303)
    assert (await merchant.get(deal_url.replace("/deals/", "/api/v1/deals/"))).json()["status"] == "canceled"


async def test_a_refused_page_action_shows_why(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    early = await merchant.post(f"/deals/{deal['id']}/approve", data={})
    assert early.status_code == 409
    assert "This deal is in progress." in early.text  # the status chip's word
