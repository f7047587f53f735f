"""Words built in Python, in the reader's language (issue 15): errors with values in them, notifications
said when they are read (the same stored row in Chinese and in English), a deal's next step, the
earnings states, the dashboard's sources, the live room's 已抢光 and an upcoming room's start time."""

from __future__ import annotations

import asyncio
import html
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from litestar import Litestar
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.asyncio.client import connect

from shop.core import clock
from shop.notifications.models import Notification
from tests.helpers import Client, add_address, make_product
from tests.integration.deal_helpers import active_deal, paid_offer
from tests.integration.earning_helpers import note_sale, ship
from tests.live_helpers import served

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
NEXT_STEP = "提交笔记，等待审核"  # noqa: RUF001 (Chinese punctuation)


def _js_catalog(page: str) -> dict[str, str]:
    match = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', page, re.S)
    assert match
    return dict(json.loads(match.group(1)))


async def test_an_error_message_with_a_value_in_chinese_and_english(merchant: Client) -> None:
    await make_product(merchant, "First Serum", sku="DUP-SKU-1")
    body = {
        "name": "Second Serum",
        "description": "Another one.",
        "variants": [
            {
                "sku": "DUP-SKU-1",
                "name": "30 ml",
                "price": {"amount": 100, "currency": "USD"},
                "stock_on_hand": 1,
            }
        ],
    }
    chinese = await merchant.post("/api/v1/products?lang=zh_Hans", json=body)
    assert chinese.status_code == 409, chinese.text
    assert chinese.json()["message"] == "SKU DUP-SKU-1 已被使用。"
    english = await merchant.post("/api/v1/products", json=body)
    assert english.json()["message"] == "SKU DUP-SKU-1 is already used."


async def test_a_field_error_with_a_value_in_chinese(merchant: Client, shopper: Client) -> None:
    product = await make_product(merchant, "Bulk Serum", stock=500)
    line = {"variant_id": product["variants"][0]["id"], "quantity": 60}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    refused = await shopper.post("/api/v1/cart/lines", json=line, headers=ZH)
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"] == {"quantity": "每件商品最多 99 件。"}
    english = await shopper.post("/api/v1/cart/lines", json=line)
    assert english.json()["fields"] == {"quantity": "At most 99 per line."}


async def test_a_status_inside_an_error_is_the_readers_word(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    early = await merchant.post(f"/api/v1/deals/{deal['id']}/approve?lang=zh_Hans")
    assert early.status_code == 409, early.text
    assert early.json()["message"] == "这个合作进行中。"
    assert (await merchant.post(f"/api/v1/deals/{deal['id']}/approve")).json()["message"] == (
        "This deal is in progress."
    )


async def test_a_deals_next_step_and_status_in_chinese(merchant: Client, creator: Client) -> None:
    deal = await active_deal(merchant, creator)
    chinese = (await creator.get(f"/api/v1/deals/{deal['id']}?lang=zh_Hans")).json()
    assert chinese["next_action"] == {
        "who": "creator",
        "what": NEXT_STEP,
        "by": chinese["next_action"]["by"],
    }
    assert deal["next_action"]["what"] == "Submit the note for review"
    page = await creator.get(f"/deals/{deal['id']}?lang=zh_Hans")
    assert NEXT_STEP in page.text
    assert 'data-status="active">进行中</span>' in page.text
    accepted = page.text.split('<li data-round="accepted">')[1][:200]
    assert "<strong>已接受</strong>" in accepted  # the timeline's steps
    assert "确定申请取消吗？" in page.text  # noqa: RUF001 (the cancel confirmation, from the catalog)


async def test_a_deal_notification_reads_in_each_readers_language(merchant: Client, creator: Client) -> None:
    await paid_offer(merchant, creator.id)
    shop_name = merchant.me["merchant"]["name"]
    chinese = (await creator.get("/api/v1/notifications?lang=zh_Hans")).json()["items"][0]
    english = (await creator.get("/api/v1/notifications?lang=en")).json()["items"][0]
    assert chinese["id"] == english["id"]
    assert chinese["subject"] == f"给你发来了合作邀约 · {shop_name}"
    assert english["subject"] == f"sent you an offer · {shop_name}"
    page = await creator.get("/notifications", headers=ZH)
    assert f"给你发来了合作邀约 · {shop_name}" in html.unescape(page.text)


async def test_an_order_notification_in_chinese_and_english(
    merchant: Client, creator: Client, shopper: Client
) -> None:
    order = await note_sale(merchant, creator, shopper)
    await ship(merchant, order["id"])
    chinese = (await shopper.get("/api/v1/notifications", headers=ZH)).json()["items"][0]
    assert chinese["kind"] == "shipped"
    assert chinese["subject"] == f"订单 #{order['id']} 已发货，正在路上"  # noqa: RUF001
    english = (await shopper.get("/api/v1/notifications")).json()["items"][0]
    assert english["subject"] == f"Order #{order['id']} is on its way"


async def test_rows_stored_before_read_in_chinese_and_others_as_they_are(
    shopper: Client, db: AsyncSession
) -> None:
    """Rows written by the English f-strings of before match the msgids' patterns; a subject someone
    wrote (a note title, a suspension reason) is never touched."""
    now = clock.now()
    rows = [
        ("refund", "US$5.00 back on order #7"),
        ("deal", "asked for changes · Glow Lab"),
        ("live", "Morning routine · live"),
        ("refund", "something else entirely"),
    ]
    await db.execute(
        insert(Notification),
        [
            {"user_id": shopper.id, "kind": kind, "subject": subject, "created_at": now, "updated_at": now}
            for kind, subject in rows
        ],
    )
    await db.commit()
    items = (await shopper.get("/api/v1/notifications?lang=zh_Hans")).json()["items"]
    assert [item["subject"] for item in reversed(items)] == [
        "订单 #7 已退款 US$5.00",
        "要求修改作品 · Glow Lab",
        "Morning routine · live",
        "something else entirely",
    ]
    english = (await shopper.get("/api/v1/notifications")).json()["items"]
    assert [item["subject"] for item in reversed(english)] == [subject for _, subject in rows]


async def test_earnings_states_in_chinese(creator: Client) -> None:
    page = await creator.get("/studio/earnings?lang=zh_Hans")
    assert page.status_code == 200
    labels = re.findall(r'<span class="money-card-label">([^<]+)</span>', page.text)
    assert labels == ["处理中", "可结算", "转账中", "已付款", "已冲回"]
    english = await creator.get("/studio/earnings")
    assert re.findall(r'<span class="money-card-label">([^<]+)</span>', english.text) == [
        "Pending",
        "Payable",
        "In transfer",
        "Paid",
        "Reversed",
    ]


async def test_dashboard_sources_and_funnel_in_chinese(merchant: Client) -> None:
    page = await merchant.get("/dashboard?lang=zh_Hans")
    assert page.status_code == 200
    sources = re.findall(r'<tr data-source="(\w+)"><td>([^<]+)</td>', page.text)
    assert sources == [("note", "笔记"), ("stream", "直播"), ("direct", "直接购买")]
    steps = re.findall(r'<tr data-step="(\w+)"><td>([^<]+)</td>', page.text)
    assert steps[0] == ("note_views", "笔记浏览")
    assert "这段时间没有来自直播的销售。" in page.text
    orders = await merchant.get("/dashboard/orders?lang=zh_Hans")
    assert '<option value="direct">直接购买</option>' in orders.text
    english = await merchant.get("/dashboard")
    assert re.findall(r'<tr data-source="(\w+)"><td>([^<]+)</td>', english.text)[2] == ("direct", "Direct")
    assert _js_catalog(page.text)["Direct"] == "直接购买"  # the chart's legend


async def test_the_live_room_says_all_grabbed_and_shops_sold_out(client: Client) -> None:
    catalog = _js_catalog((await client.get("/?lang=zh_Hans")).text)
    assert catalog["live\x04Sold out"] == "已抢光"
    assert catalog["Sold out"] == "已售罄"


async def test_an_upcoming_rooms_start_in_the_pages_language(creator: Client) -> None:
    starts = (clock.now() + timedelta(days=3)).replace(hour=20, minute=0, second=0, microsecond=0)
    made = await creator.post(
        "/api/v1/streams", json={"title": "Friday drop", "scheduled_at": starts.isoformat()}
    )
    assert made.status_code == 201, made.text
    weekday = "一二三四五六日"[starts.weekday()]
    chinese = (await creator.get("/live?lang=zh_Hans")).text
    said = f"{starts.month}月{starts.day}日周{weekday} 20:00（UTC）"  # noqa: RUF001
    assert said in chinese
    english = (await creator.get("/live")).text
    assert f"{starts:%a %d %b}, 20:00 UTC" in english
    room = (await creator.get(f"/live/{made.json()['id']}?lang=zh_Hans")).text
    assert said in room


async def test_a_redirected_cart_error_reaches_the_page_in_chinese(merchant: Client, shopper: Client) -> None:
    product = await make_product(merchant, "Rare Serum", stock=1)
    await add_address(shopper)
    line = {"variant_id": product["variants"][0]["id"], "quantity": 1}
    assert (await shopper.post("/api/v1/cart/lines", json=line)).status_code == 201
    await merchant.patch(
        f"/api/v1/products/{product['id']}",
        json={"variants": [{"id": product["variants"][0]["id"], "stock_on_hand": 0}]},
    )
    refused = await shopper.post("/api/v1/checkout?lang=zh_Hans", json={})
    assert refused.status_code == 409, refused.text
    assert refused.json()["message"] == "Rare Serum 已售罄。"
    # The cart's form: the refusal is said before the redirect, so the next page shows it as it is.
    back = await shopper.form("/checkout?lang=zh_Hans", {})
    assert back.status_code in (302, 303), back.text
    assert parse_qs(urlsplit(back.headers["location"]).query)["error"] == ["Rare Serum 已售罄。"]
    cart = await shopper.get(back.headers["location"] + "&lang=zh_Hans")
    assert "Rare Serum 已售罄。" in cart.text


async def test_a_pushed_deal_step_is_said_in_the_listening_browsers_language(
    app: Litestar, merchant: Client, creator: Client
) -> None:
    cookies = "; ".join(f"{name}={value}" for name, value in creator.cookies.items())
    async with served(app) as where:
        headers = {"Cookie": cookies, "Origin": f"http://{where}", "Accept-Language": "zh-CN"}
        async with connect(f"ws://{where}/notifications/ws", additional_headers=headers) as socket:
            await asyncio.sleep(0.2)  # subscribed before the offer is sent
            await paid_offer(merchant, creator.id)
            pushed = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    assert pushed["kind"] == "deal"
    assert pushed["subject"] == f"给你发来了合作邀约 · {merchant.me['merchant']['name']}"


async def test_stock_import_problems_and_stock_reasons_in_chinese(merchant: Client) -> None:
    product = await make_product(merchant, "Dew Serum", sku="DEW-ZH-1", stock=5)
    checked = await merchant.post(
        "/dashboard/products/import?lang=zh_Hans",
        files={"file": ("levels.csv", b"sku,stock_on_hand\nDEW-ZH-1,-3\nNOPE-1,4\n", "text/csv")},
        data={"action": "check"},
    )
    assert checked.status_code == 422, checked.text
    said = html.unescape(checked.text)
    assert "DEW-ZH-1：库存不能为负数（-3）。" in said  # noqa: RUF001
    assert "NOPE-1：你的店铺没有这个 SKU 的规格。" in said  # noqa: RUF001
    stock = await merchant.get(f"/dashboard/products/{product['id']}/stock?lang=zh_Hans")
    assert '<td data-reason="initial">初始库存</td>' in stock.text
    assert '<option value="restock">补货</option>' in stock.text


async def test_a_validators_message_and_a_direction_refusal_in_chinese(merchant: Client) -> None:
    product = await make_product(merchant, "Adjusted Serum", sku="ADJ-ZH-1", stock=5)
    url = f"/api/v1/products/{product['id']}/stock-adjustments?lang=zh_Hans"
    variant_id = product["variants"][0]["id"]
    system_only = await merchant.post(url, json={"variant_id": variant_id, "delta": -1, "reason": "sale"})
    assert system_only.status_code == 422, system_only.text
    assert system_only.json()["fields"]["reason"].startswith("请选择其中之一：restock")  # noqa: RUF001
    wrong_way = await merchant.post(url, json={"variant_id": variant_id, "delta": -1, "reason": "restock"})
    assert wrong_way.status_code == 422, wrong_way.text
    assert wrong_way.json()["fields"]["reason"] == "“补货”只能增加库存；请改选“更正”或“盘点”。"  # noqa: RUF001
