"""The phrases notes and comments are assembled from, by theme."""

# ruff: noqa: RUF001 (the Chinese copy uses full-width punctuation, as Chinese is written)

from __future__ import annotations

# A phrase may start with "key, key|": it is used only when a tagged product's name contains one of
# the keys (so "The keyboard sound test" never tops a note about a desk plant), and `{p}` is then
# that product. Phrases without keys suit any note of the theme, with or without products.
TITLES: dict[str, tuple[str, ...]] = {
    "skincare": (
        "My 5-step night routine ✨",
        "Glass skin on a budget?",
        "Empties I'd repurchase 💧",
        "Why I stopped over-exfoliating",
        "Shelfie update 🌸",
        "Sensitive skin? Read this first",
        "Travel skincare kit, carry-on only",
        "What calmed my skin this month",
        "The three products I'd keep",
        "Skincare I actually finished",
        "Morning routine for oily skin",
        "{p} after 30 days: honest review",
        "{p} is the quiet hero of my shelf",
        "The {p} hype is real",
        "Is {p} worth it? My take",
        "Back to basics with {p}",
        "Why {p} stays in my routine",
        "sunscreen, spf|Sunscreen that finally has no white cast ☀️",
        "mask, sleeping|Overnight routine: sleep, wake up plump",
        "serum, drops|Serum layering, the order that works",
        "cleanser, balm|Double cleansing, made simple",
        "eye|Puffy mornings, fixed",
        "lip|The lip mask I reach for every night",
        "toner|Toner pads on red days",
    ),
    "tea": (
        "Gongfu tea for beginners",
        "My tea corner, finally done",
        "Three teas for rainy afternoons",
        "My slow tea ritual ☕",
        "A tiny tea table in a tiny flat",
        "Tea break, phone away",
        "下午茶 慢慢来 Slow tea afternoon",
        "Slow morning with {p} 🍵",
        "{p}: worth it?",
        "matcha, oolong, peony, jasmine, longjing, tieguanyin|How I brew {p}",
        "Living with {p} for a month",
        "mug, cup, tumbler, matcha, oolong, jasmine, longjing, tieguanyin, peony|{p}, my daily cup",
        "matcha|Iced matcha latte, cafe-level at home",
        "matcha|Matcha that isn't bitter 🍵",
        "mug, teapot, cup, bowl|Pottery haul from the weekend market",
        "mug, teapot, cup, bowl|Glazes I can't stop looking at",
        "cold-brew|Cold brew tea season is here",
        "oolong|周末的乌龙茶时间 Oolong weekend 🍵",
        "tieguanyin, 铁观音|铁观音乌龙茶入门 Tieguanyin for beginners",
        "longjing, 绿茶|一杯绿茶的早晨 A green tea morning 🌱",
        "longjing|明前龙井开箱 Spring Longjing unboxing",
        "jasmine|Jasmine pearls unfurling, on repeat",
        "peony|Aged white tea, explained",
        "tumbler|Tea on the go, finally hot all day",
        "incense|A calm corner for the tea table",
    ),
    "outdoor": (
        "Ridge hike packing list 🏔️",
        "What I wear on 20 km days",
        "Sunrise hike, zero regrets 🌄",
        "Lightweight layering 101",
        "Trail outfit of the week",
        "Day hike essentials under 5 kg",
        "Camping weekend with friends ⛺",
        "Layers for a windy summit",
        "Autumn colours on the trail 🍂",
        "shell, fleece, tee, socks, daypack, hoodie, bottle, cap, beanie|Tested {p} on a long day out",
        "shell, fleece, tee, socks, daypack, hoodie, jacket|{p} review after 300 km",
        "bottle, cap, beanie, socks, shell|Why {p} lives in my pack",
        "shell, fleece, tee, socks, daypack, hoodie, bottle|{p}: the honest trail review",
        "tote|{p}, from trail to town",
        "shell|Tested the rain shell in a downpour",
        "merino|Why merino changed my hikes",
        "fleece|The fleece I wear from trailhead to summit",
        "daypack|What fits in a 22L daypack",
        "socks|No blisters in 30 km",
        "hoodie|Sun protection on exposed ridges",
        "bottle|Hot tea at the summit ☕",
        "cap, beanie|Hat weather on the trail",
        "tote|Trail to farmers market",
    ),
    "desk": (
        "Desk setup tour 2026",
        "Small desk, big productivity",
        "Cozy WFH corner for winter",
        "Minimal desk, maximal focus",
        "My favourite desk upgrades under $50",
        "Before and after: desk glow-up",
        "Deep work setup, no distractions",
        "{p}: a month later",
        "{p} is the upgrade I didn't know I needed",
        "Living with {p}",
        "Why {p} earned its spot",
        "keyboard|The keyboard sound test 🎧",
        "keyboard|Switching to a low-profile board",
        "lamp|Warm lighting for late nights 💡",
        "cable|Cable management that finally stuck",
        "riser, stand|Screen at eye level, neck pain gone",
        "plant|A little green for the desk 🌿",
        "headphones|Focus mode: headphones on",
        "notebook|Analog planning on a digital desk",
        "mat|The desk mat that changed the vibe",
        "mouse|The quietest click",
        "mug|Coffee stays warm till the last sip",
    ),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "skincare": (
        "My skin has been so much calmer since I simplified everything.",
        "I patch tested for a week before putting it all over.",
        "Not sponsored, I just keep reaching for it every night.",
        "The packaging is cute but the formula is what keeps me coming back.",
        "Tip: apply on damp skin and wait a moment before the next step.",
        "serum, drops, essence, cream, mask|Texture is lightweight and it sinks in within a minute.",
        "cream, mask, balm|No fragrance, no sting, even on the dry patches around my nose.",
        "sunscreen|It layers nicely under makeup, no pilling at all.",
    ),
    "tea": (
        "It's become my favourite ten minutes of the day.",
        "Pairs perfectly with a slice of almond cake.",
        "If you're new to loose leaf, start here.",
        "Phone away, kettle on, window open.",
        "慢慢喝，别着急。",
        "oolong, peony, jasmine, 绿茶, tieguanyin|The first steep is floral, the third turns honey-sweet.",
        "oolong, peony|Water just off the boil, short steeps, lots of rounds.",
        "oolong|乌龙茶越泡越香，第三泡最好喝。",
        "绿茶, longjing|绿茶要用80度的水，不要用开水。",
        "mug, teapot, cup, bowl|I love how the glaze changes colour when the tea hits it.",
        "mug, teapot, cup|The clay keeps the tea warm way longer than glass.",
        "matcha|Whisk in a W, not a circle, and the foam comes up in seconds.",
    ),
    "outdoor": (
        "Started at 5 am to catch the light on the ridge.",
        "Layering is everything when the wind picks up above the tree line.",
        "Comfortable from the trailhead to the summit and back.",
        "Leave no trace, take only photos.",
        "shell, jacket|It packs down to nothing and weighs less than my phone.",
        "shell|Rain rolled in on the way down and I stayed completely dry.",
        "socks|Ten hours on the trail and no hot spots.",
        "fleece, beanie, cap, bottle, hoodie|The colour looks even better in the mountains.",
    ),
    "desk": (
        "Everything I touch every day is within arm's reach now.",
        "Small desk, but every item earns its place.",
        "I spent way too long choosing the colour and zero regrets.",
        "lamp|Warm light after sunset makes late work feel less grim.",
        "keyboard|Typing feel is soft and the sound is a gentle thock.",
        "cable|The cables are finally hidden and I can't stop looking at it.",
        "riser, stand|Sitting at eye level fixed my neck in a week.",
        "headphones|Focus mode: lamp on, headphones on, phone in the drawer.",
        "plant|It never needs watering, which is exactly my level.",
    ),
}

# Topics any note of the theme may carry, then topics a tagged product earns ("keys|topic").
TOPICS: dict[str, tuple[str, ...]] = {
    "skincare": ("skincare", "skincareroutine", "selfcare", "glowyskin"),
    "tea": ("teatime", "slowliving", "homecafe"),
    "outdoor": ("hiking", "outdoorstyle", "weekendvibes"),
    "desk": ("desksetup", "wfh", "productivity", "minimalism"),
}
PRODUCT_TOPICS: tuple[str, ...] = (
    "sunscreen, spf|sunscreen",
    "cica, barrier, repair|sensitiveskin",
    "matcha|matcha",
    "oolong, peony|gongfu",
    "oolong|乌龙茶",
    "绿茶, longjing|绿茶",
    "stoneware mug, teapot, cup set, matcha bowl|ceramics",
    "tee, jacket, shell, fleece, hoodie, beanie, cap|ootd",
    "trail runner|trailrun",
    "keyboard|mechanicalkeyboard",
    "plant|deskplants",
    "lamp|lighting",
)


def keyed(phrase: str) -> tuple[tuple[str, ...], str]:
    """("keyboard", "switch"), "text" for "keyboard, switch|text"; (), phrase without keys."""
    keys, bar, text = phrase.partition("|")
    if not bar:
        return (), phrase
    return tuple(k.strip() for k in keys.split(",")), text


def fitting(phrases: tuple[str, ...], names: list[str]) -> list[tuple[str, str | None]]:
    """The phrases that suit a note tagging products `names`, each with the product it is about."""
    found: list[tuple[str, str | None]] = []
    for phrase in phrases:
        keys, text = keyed(phrase)
        about = next((n for n in names if any(k in n.lower() for k in keys)), None)
        if not keys or about is not None:
            found.append((text, about))
    return found


COMMENTS: tuple[str, ...] = (
    "Saving this for later!",
    "Where is this from? 😍",
    "This is so calming to look at.",
    "Ordered one after seeing this, thank you!",
    "How long did it take to see a difference?",
    "Obsessed with this colour palette.",
    "Can you do a full review?",
    "Same! It's been in my cart for weeks.",
    "Great tips, super helpful.",
    "Does it come in other sizes?",
    "The lighting in this photo is perfect ✨",
    "Adding to my wishlist right now.",
    "Is it worth the price?",
    "Love this so much 💛",
    "Just tried it, you were right.",
    "Need a part two!",
)

REPLIES: tuple[str, ...] = (
    "Thank you! Linked it in the tags 🙌",
    "About two weeks for me, go slow!",
    "Yes, totally worth it in my opinion.",
    "Part two is coming this weekend!",
)
