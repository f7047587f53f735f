"""Turn the hand-written content into one fixed dataset, before anything touches the database.

All randomness comes from a single `random.Random(2026)` consumed in a fixed order here, so the
dataset is identical on every run whatever already exists; the seeder only decides what to skip.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from itertools import accumulate

from shop.demo.content import COLORS, CREATORS, SHOPPERS, SHOPS, PersonSpec, ProductSpec, ShopSpec
from shop.demo.images import NOTE_WIDTH, Look, Scene
from shop.demo.phrases import COMMENTS, PRODUCT_TOPICS, REPLIES, SENTENCES, TITLES, TOPICS, fitting
from shop.demo.shapes import RGB, shade

SEED = 2026
NOTES_PER_CREATOR = 9
SHOPPER_NOTES = 4
SOLD_OUT_VARIANTS = 3
# Cover ratios (width, height) and how often each appears: 3:4 dominates real feeds.
RATIOS = ((3, 4), (1, 1), (4, 5), (9, 16), (4, 3))
RATIO_WEIGHTS = (6, 2, 2, 1, 1)
ProductKey = tuple[str, str]  # (shop code, product name)


@dataclass(frozen=True, slots=True)
class VariantPlan:
    sku: str
    name: str
    options: dict[str, str]
    price: int
    stock: int


@dataclass(frozen=True, slots=True)
class ProductPlan:
    shop: ShopSpec
    spec: ProductSpec
    look: Look
    variants: tuple[VariantPlan, ...]
    swatches: tuple[RGB, ...]
    image_count: int
    seed: int

    @property
    def key(self) -> ProductKey:
        return self.shop.code, self.spec.name


@dataclass(frozen=True, slots=True)
class ImagePlan:
    scene: Scene
    products: tuple[ProductKey, ...]  # one tag per product, in the order of `scene.looks`


@dataclass(frozen=True, slots=True)
class CommentPlan:
    author: str
    body: str
    minutes_after: int
    reply: str | None  # the note author's answer, if any


@dataclass(frozen=True, slots=True)
class NotePlan:
    author: str
    title: str
    body: str
    images: tuple[ImagePlan, ...]
    comments: tuple[CommentPlan, ...]
    likers: tuple[str, ...]
    savers: tuple[str, ...]
    age_hours: float


@dataclass(frozen=True, slots=True)
class Plan:
    products: tuple[ProductPlan, ...]
    notes: tuple[NotePlan, ...]
    follows: tuple[tuple[str, str], ...]  # (follower email, followee email)


def build_plan() -> Plan:
    rng = random.Random(SEED)
    products = _plan_products(rng)
    notes = _plan_notes(rng, products)
    follows = _plan_follows(rng)
    # The bilingual guides take no draws, so they change nothing planned above (imported here:
    # they are built from this module's plans).
    from shop.demo.guides import guide_notes

    return Plan(products, (*notes, *guide_notes(SHOPS, products)), follows)


def _plan_products(rng: random.Random) -> tuple[ProductPlan, ...]:
    plans = [_plan_product(rng, shop, i, spec) for shop in SHOPS for i, spec in enumerate(shop.products)]
    # Sell out a few variants whose siblings are still in stock, to show the sold-out state.
    candidates = [(pi, vi) for pi, p in enumerate(plans) for vi in range(1, len(p.variants))]
    for pi, vi in rng.sample(candidates, SOLD_OUT_VARIANTS):
        variants = list(plans[pi].variants)
        variants[vi] = replace(variants[vi], stock=0)
        plans[pi] = replace(plans[pi], variants=tuple(variants))
    return tuple(plans)


def _plan_product(rng: random.Random, shop: ShopSpec, index: int, spec: ProductSpec) -> ProductPlan:
    body = COLORS.get(spec.options[0][0]) or shop.bodies[index % len(shop.bodies)]
    variants = tuple(
        VariantPlan(
            sku=f"{shop.code}-{index + 1:02d}-{n + 1}",
            name=value,
            options={spec.axis: value} if spec.axis else {},
            price=price,
            stock=rng.randint(5, 200),
        )
        for n, (value, price) in enumerate(spec.options)
    )
    return ProductPlan(
        shop=shop,
        spec=spec,
        look=Look(spec.shape, body, _accent_for(shop.accent, body)),
        variants=variants,
        swatches=tuple(COLORS[v] for v, _ in spec.options if v in COLORS),
        image_count=rng.choice((1, 2, 2)),
        seed=rng.randrange(2**31),
    )


def _accent_for(accent: RGB, body: RGB) -> RGB:
    # An orange zip on an orange jacket would vanish; fall back to a darker tone of the body.
    distance = sum(abs(a - b) for a, b in zip(accent, body, strict=True))
    return accent if distance > 120 else shade(body, -0.4)


def _note_authors(rng: random.Random) -> list[PersonSpec]:
    # Round-robin so the feed interleaves creators instead of showing nine notes by one person.
    authors = [creator for _ in range(NOTES_PER_CREATOR) for creator in CREATORS]
    for shopper in SHOPPERS[:SHOPPER_NOTES]:
        authors.insert(rng.randrange(len(authors) + 1), shopper)
    return authors


def _plan_notes(rng: random.Random, products: tuple[ProductPlan, ...]) -> tuple[NotePlan, ...]:
    by_theme = {shop.theme: [p for p in products if p.shop is shop] for shop in SHOPS}
    authors = _note_authors(rng)
    gaps = [rng.uniform(3, 11) for _ in authors]
    # Oldest first: the first note planned is posted longest ago, matching id order in the feed.
    ages = list(accumulate(reversed(gaps)))[::-1]
    used_titles: set[str] = set()
    return tuple(
        _plan_note(rng, author, age, by_theme, used_titles) for author, age in zip(authors, ages, strict=True)
    )


def _plan_note(
    rng: random.Random,
    author: PersonSpec,
    age: float,
    by_theme: dict[str, list[ProductPlan]],
    used_titles: set[str],
) -> NotePlan:
    theme = rng.choice(author.themes)
    count = rng.choices((0, 1, 2, 3), weights=(1, 4, 4, 2))[0]
    # Every tagged product is from the note's own theme, so photo, title, tags and topics agree.
    # A draw whose fitting titles are all taken is redrawn (still deterministic: same rng order).
    title = None
    while title is None:
        tagged = rng.sample(by_theme[theme], count)
        title = _title(rng, theme, tagged, used_titles)
        count = max(1, count)  # a note without products has the fewest titles: widen the next draw
    comments, likers, savers = _activity(rng, author.email)
    return NotePlan(
        author=author.email,
        title=title,
        body=_body(rng, theme, tagged),
        images=_images(rng, theme, tagged, title),
        comments=comments,
        likers=likers,
        savers=savers,
        age_hours=round(age, 2),
    )


def _title(rng: random.Random, theme: str, tagged: list[ProductPlan], used: set[str]) -> str | None:
    """A title not used yet that suits the tagged products; None when every fitting one is taken."""
    names = [p.spec.name for p in tagged]
    options = []
    keyed_titles = set()
    for text, about in fitting(TITLES[theme], names):
        if about is not None and "{p}" not in text:
            keyed_titles.add(text)
        if "{p}" in text:
            subject = about or (names[rng.randrange(len(names))] if names else None)
            if subject is None:
                continue
            text = text.format(p=subject)
        if text not in used and len(text) <= 100:
            options.append(text)
    if not options:
        return None
    # Titles about a tagged product's kind ("Iced matcha latte") read truer than generic ones.
    specific = [t for t in options if t in keyed_titles]
    title = rng.choice(specific if specific and rng.random() < 0.6 else options)
    used.add(title)
    return title


def _body(rng: random.Random, theme: str, tagged: list[ProductPlan]) -> str:
    names = [p.spec.name for p in tagged]
    pool = [text for text, _ in fitting(SENTENCES[theme], names)]
    sentences = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
    if tagged:
        sentences.append("Tagged: " + ", ".join(names) + ".")
    earned = list(dict.fromkeys(text for text, about in fitting(PRODUCT_TOPICS, names) if about))
    topics = [*rng.sample(TOPICS[theme], rng.randint(1, 2)), *earned[:3]]
    return " ".join(sentences) + "\n\n" + " ".join(f"#{topic}" for topic in topics)


def _images(rng: random.Random, theme: str, tagged: list[ProductPlan], title: str) -> tuple[ImagePlan, ...]:
    shop = next(s for s in SHOPS if s.theme == theme)
    styles = ("outdoor", "outdoor", "flatlay") if theme == "outdoor" else ("shelf", "flatlay")
    plans = []
    for position in range(rng.choices((1, 2, 3, 4), weights=(3, 3, 3, 2))[0]):
        ratio_w, ratio_h = rng.choices(RATIOS, weights=RATIO_WEIGHTS)[0]
        # The cover shows everything tagged; later pictures are close-ups of one or two items.
        shown = tagged if position == 0 else rng.sample(tagged, min(len(tagged), rng.randint(1, 2)))
        scene = Scene(
            width=NOTE_WIDTH,
            height=NOTE_WIDTH * ratio_h // ratio_w,
            style=rng.choice(styles),
            backdrop=shop.backdrop,
            accent=shop.accent,
            looks=tuple(p.look for p in shown[:5]),
            caption=title if position == 0 else None,
            seed=rng.randrange(2**31),
        )
        plans.append(ImagePlan(scene, tuple(p.key for p in shown[:5])))
    return tuple(plans)


def _activity(
    rng: random.Random, author: str
) -> tuple[tuple[CommentPlan, ...], tuple[str, ...], tuple[str, ...]]:
    others = [p.email for p in (*CREATORS, *SHOPPERS) if p.email != author]
    count = rng.choices(range(7), weights=(2, 3, 3, 3, 2, 2, 1))[0]
    comments = tuple(
        CommentPlan(
            author=commenter,
            body=body,
            minutes_after=rng.randint(5, 600),
            reply=rng.choice(REPLIES) if i == 0 and rng.random() < 0.4 else None,
        )
        for i, (commenter, body) in enumerate(
            zip(rng.sample(others, count), rng.sample(COMMENTS, count), strict=True)
        )
    )
    likers = tuple(rng.sample(others, rng.randint(1, len(others))))
    savers = tuple(rng.sample(likers, rng.randint(0, len(likers) // 2)))
    return comments, likers, savers


def _plan_follows(rng: random.Random) -> tuple[tuple[str, str], ...]:
    creators = [c.email for c in CREATORS]
    follows = []
    for shopper in SHOPPERS:
        # Everyone follows the demo creator so its profile shows a real follower count.
        picks = {creators[0], *rng.sample(creators[1:], rng.randint(2, 4))}
        follows += [(shopper.email, creator) for creator in sorted(picks)]
    for creator in creators:
        follows += [(creator, other) for other in rng.sample([c for c in creators if c != creator], 2)]
    return tuple(dict.fromkeys(follows))
