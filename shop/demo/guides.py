"""The bilingual side of the demo: two creators who write in Chinese, newcomer guides in both
languages, and comments that cross from one language to the other.

In January 2025, American users arrived on a Chinese app and Chinese users wrote guides for them;
the demo shows that scene. Everything here is fixed text (no randomness), planned after the rest of
the demo's draws, so adding it changes nothing else the seed makes. The notes are the newest in the
feed, so a newcomer sees the guides first.
"""

# ruff: noqa: RUF001 (the Chinese copy uses full-width punctuation, as Chinese is written)

from __future__ import annotations

from collections.abc import Sequence

from shop.demo.content import PersonSpec, ShopSpec
from shop.demo.images import NOTE_WIDTH, Scene
from shop.demo.plan import CommentPlan, ImagePlan, NotePlan, ProductKey, ProductPlan

XIAOYU = "lin.xiaoyu@demo.test"
ZHOUKE = "zhou.ke@demo.test"

GUIDE_CREATORS = (
    PersonSpec(
        XIAOYU,
        "creator",
        "林小雨",
        ("tea", "skincare"),
        "杭州 · 泡茶和护肤的日常。新朋友的使用指南在主页 📒 Tea and skincare from Hangzhou.",
    ),
    PersonSpec(
        ZHOUKE,
        "creator",
        "周可",
        ("outdoor", "desk"),
        "周末爬山，工作日整理桌面。中文 / English 都可以聊。",
    ),
)


def _guide(
    author: str,
    title: str,
    body: str,
    comments: Sequence[tuple[str, str, str | None]],
    likers: Sequence[str],
    age_hours: float,
) -> tuple[str, str, str, tuple[CommentPlan, ...], tuple[str, ...], float]:
    planned = tuple(
        CommentPlan(author=who, body=said, minutes_after=12 + 25 * n, reply=reply)
        for n, (who, said, reply) in enumerate(comments)
    )
    return author, title, body, planned, tuple(likers), age_hours


# (author, title, body, comments as (who, text, the author's reply), likers, age in hours); the
# shop theme and product names say what each note's pictures show and tag.
_GUIDES = (
    (
        _guide(
            XIAOYU,
            "新朋友看这里｜这个App怎么用 How to use this app 📒",
            "欢迎新朋友！三步就会用：\n"
            "1. 刷首页的笔记，图片上的小圆点是商品标签，点一下就能看到商品。\n"
            "2. 喜欢就加入购物车，用银行卡结算，几秒钟就好。\n"
            "3. 关注喜欢的博主，开播和发新笔记都会通知你。\n\n"
            "Welcome! Three steps:\n"
            "1. Scroll the notes. The dots on a picture are product tags: tap one to see the product.\n"
            "2. Add it to your cart and pay by card in a few seconds.\n"
            "3. Follow the creators you like, and you'll hear when they go live or post.\n\n"
            "#新手指南 #howto",
            [
                (
                    "shopper@demo.test",
                    "This is so helpful, thank you! The dots confused me at first.",
                    "不客气！Welcome 🙌 有问题随时问我。",
                ),
                (
                    "rin@demo.test",
                    "Do I need an account to buy something?",
                    "要的，注册只要一分钟。Yes, sign up first, it takes a minute.",
                ),
                (ZHOUKE, "收藏了，转给刚来的朋友看 👍", None),
            ],
            ["shopper@demo.test", "rin@demo.test", "sam@demo.test", ZHOUKE, "creator@demo.test"],
            2.8,
        ),
        "tea",
        ("Longjing Green Tea 龙井绿茶",),
    ),
    (
        _guide(
            ZHOUKE,
            "直播间怎么抢秒杀？How live flash sales work ⚡",
            "直播间里，主播会把商品卡片置顶。秒杀开始后点「抢」，库存会为你保留几分钟，"
            "在倒计时结束前付款就好。每人限购，卖完就没有了。\n\n"
            "In a live room the host pins a product card. When a flash sale starts, tap Grab: "
            "the item is held for you for a few minutes, so pay before the timer runs out. "
            "There is a limit per person, and when it's gone, it's gone.\n\n"
            "#直播 #flashsale",
            [
                (
                    "leo@demo.test",
                    "So the timer on the card is my hold? Good to know.",
                    "对！Yes, that countdown is yours.",
                ),
                (XIAOYU, "今晚的护肤直播有秒杀，大家可以试试～", None),
            ],
            ["leo@demo.test", "maya@demo.test", XIAOYU],
            2.1,
        ),
        "desk",
        (),
    ),
    (
        _guide(
            XIAOYU,
            "「种草」是什么意思？What does zhongcao mean 🌱",
            "种草 = 被别人的分享打动，想买同款。拔草 = 终于买到了，或者决定不买了。"
            "这个App的名字就是「种草」。\n\n"
            "Zhongcao literally means planting grass: someone's post makes you want the same thing. "
            "Bacao, pulling the grass, is when you finally buy it, or decide you don't need it.\n\n"
            "#种草 #newhere",
            [
                (
                    "maya@demo.test",
                    "I love this. I've been 种草'd by every skincare note here.",
                    "哈哈，欢迎加入 😂 Welcome to the club.",
                ),
                ("sam@demo.test", "What's the opposite, when you regret it?", "那叫「踩雷」，踩到雷了 💣"),
            ],
            ["maya@demo.test", "sam@demo.test", "sora.glow@demo.test"],
            1.4,
        ),
        "skincare",
        (),
    ),
    (
        _guide(
            XIAOYU,
            "明前龙井开箱，今年的春茶 🍃",
            "今年的明前龙井到了！豆香很明显，用80度的水，第三泡还是很甜。"
            "用玻璃杯泡可以看到茶叶慢慢立起来，很治愈。\n\n#绿茶 #龙井",
            [
                (
                    "sam@demo.test",
                    "What does 明前 mean? The leaves look amazing.",
                    "明前 = picked before Qingming (early April): the first, most tender leaves 🌱",
                ),
                ("june.brews@demo.test", "今年的豆香确实好，我也囤了两罐。", None),
            ],
            ["june.brews@demo.test", "sam@demo.test", "rin@demo.test", ZHOUKE],
            0.9,
        ),
        "tea",
        ("Longjing Green Tea 龙井绿茶",),
    ),
    (
        _guide(
            ZHOUKE,
            "周末爬山的轻量装备，一个背包装下",
            "这次只背了一个小包：防风外套、速干帽子和保温杯。山顶风大，外套一定要带。\n\n#户外 #徒步",
            [
                (
                    "lena.hikes@demo.test",
                    "Love a light pack! Which jacket is that?",
                    "The Packable Rain Shell, folds into its own pocket 👌",
                ),
            ],
            ["lena.hikes@demo.test", "noah.outside@demo.test"],
            0.4,
        ),
        "outdoor",
        ("Packable Rain Shell", "Trail Runner Cap"),
    ),
)


def guide_notes(shops: Sequence[ShopSpec], products: Sequence[ProductPlan]) -> tuple[NotePlan, ...]:
    """The guides as notes, oldest first (they follow the planned notes, so they are the newest)."""
    by_key: dict[ProductKey, ProductPlan] = {p.key: p for p in products}
    notes = []
    for n, ((author, title, body, comments, likers, age), theme, names) in enumerate(_GUIDES):
        shop = next(s for s in shops if s.theme == theme)
        tagged = [by_key[(shop.code, name)] for name in names]
        scene = Scene(
            width=NOTE_WIDTH,
            height=NOTE_WIDTH * 4 // 3,
            style="flatlay" if tagged else "shelf",
            backdrop=shop.backdrop,
            accent=shop.accent,
            looks=tuple(p.look for p in tagged),
            caption=None,  # the cover font has no Chinese glyphs; the title says it all
            seed=20_250_100 + n,
        )
        notes.append(
            NotePlan(
                author=author,
                title=title,
                body=body,
                images=(ImagePlan(scene, tuple(p.key for p in tagged)),),
                comments=comments,
                likers=likers,
                savers=likers[:2],
                age_hours=age,
            )
        )
    return tuple(notes)
