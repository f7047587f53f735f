from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from shop.accounts.models import User
from shop.accounts.schemas import UserRef
from shop.catalog.models import Product
from shop.catalog.schemas import ImageOut
from shop.core.i18n import N_, gettext
from shop.core.schemas import DisclosureIn, Input, MoneyOut, Output
from shop.deals import binding
from shop.notes.models import Comment, Note, NoteStatus

MAX_IMAGES = 9
MAX_TAGS_PER_IMAGE = 5
MAX_TAGS_PER_NOTE = 20
TOPIC_PATTERN = re.compile(r"#([\w\u4e00-\u9fff]{1,40})")


def _topic(value: str) -> str:
    value = value.strip().lstrip("#").lower()
    if not re.fullmatch(r"[\w\u4e00-\u9fff]{1,40}", value):
        raise ValueError("Topics are 1-40 letters, digits or underscores.")
    return value


Topic = Annotated[str, Field(max_length=41), AfterValidator(_topic)]


class TagIn(Input):
    product_id: int = Field(ge=1, le=2**53)
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)


class NoteImageIn(Input):
    upload_id: int = Field(ge=1, le=2**53)
    tags: list[TagIn] = Field(default_factory=list, max_length=MAX_TAGS_PER_IMAGE)


def _tag_budget(images: Sequence[NoteImageIn | NoteImageEdit]) -> None:
    if sum(len(image.tags) for image in images) > MAX_TAGS_PER_NOTE:
        raise ValueError(gettext("A note can carry at most %(n)s product tags.", n=MAX_TAGS_PER_NOTE))


class NoteIn(Input):
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(default="", max_length=5000)
    topics: list[Topic] = Field(default_factory=list, max_length=10)
    images: list[NoteImageIn] = Field(min_length=1, max_length=MAX_IMAGES)
    # Published unless asked: clients written before drafts existed keep posting straight out.
    status: NoteStatus = NoteStatus.PUBLISHED
    # Written for a deal: labelled "Paid partnership with {brand}" by the deal, never by hand.
    deal_id: int | None = Field(default=None, ge=1, le=2**53)
    disclosure: DisclosureIn | None = None

    @model_validator(mode="after")
    def _check_tags(self) -> NoteIn:
        _tag_budget(self.images)
        return self


class NoteImageEdit(Input):
    """An image of an edited note: one already on it (`image_id`) or a new upload (`upload_id`)."""

    image_id: int | None = Field(default=None, ge=1, le=2**53)
    upload_id: int | None = Field(default=None, ge=1, le=2**53)
    tags: list[TagIn] = Field(default_factory=list, max_length=MAX_TAGS_PER_IMAGE)

    @model_validator(mode="after")
    def _one_source(self) -> NoteImageEdit:
        if (self.image_id is None) == (self.upload_id is None):
            raise ValueError(N_("Give an image either `image_id` (kept) or `upload_id` (new)."))
        return self


class NoteEditIn(Input):
    """PATCH: the fields sent replace the note's; `images` replaces the whole list, tags included.
    `status` can only publish: a published note never goes back to being a draft."""

    title: str | None = Field(default=None, min_length=1, max_length=100)
    body: str | None = Field(default=None, max_length=5000)
    topics: list[Topic] | None = Field(default=None, max_length=10)
    images: list[NoteImageEdit] | None = Field(default=None, min_length=1, max_length=MAX_IMAGES)
    status: Literal["published"] | None = None
    # Sent as null: the author takes a declared label off (a deal's label cannot be taken off).
    disclosure: DisclosureIn | None = None

    @model_validator(mode="after")
    def _check_tags(self) -> NoteEditIn:
        _tag_budget(self.images or [])
        return self


class CommentIn(Input):
    body: str = Field(min_length=1, max_length=1000)
    # A reply; a reply to a reply joins its top-level comment's thread (threads are one level deep).
    parent_id: int | None = Field(default=None, ge=1, le=2**53)


class NoteCardOut(Output):
    id: int
    title: str
    cover: ImageOut
    author: UserRef
    like_count: int
    product_count: int
    disclosure: dict[str, object] | None = None


class NotePage(Output):
    items: list[NoteCardOut]
    next_cursor: str | None


class TagOut(Output):
    product_id: int
    x: float
    y: float


class NoteImageOut(ImageOut):
    id: int
    thumb_url: str
    tags: list[TagOut]


class TaggedProductOut(Output):
    id: int
    name: str
    price: MoneyOut | None
    image: ImageOut | None


class NoteOut(Output):
    id: int
    title: str
    body: str
    topics: list[str]
    author: UserRef
    images: list[NoteImageOut]
    products: list[TaggedProductOut]
    disclosure: dict[str, object] | None
    like_count: int
    save_count: int
    comment_count: int
    created_at: datetime
    status: str = NoteStatus.PUBLISHED.value
    published_at: datetime | None = None
    liked: bool = False
    saved: bool = False


class CommentOut(Output):
    id: int
    body: str
    author: UserRef
    parent_id: int | None
    created_at: datetime
    like_count: int = 0
    liked: bool = False
    replies: list[CommentOut] = Field(default_factory=list)


class CommentPage(Output):
    items: list[CommentOut]
    next_cursor: str | None


class ToggleOut(Output):
    active: bool
    count: int


class UploadOut(Output):
    upload_id: int
    url: str
    width: int
    height: int


def _user_ref(user: User) -> UserRef:
    return UserRef(
        id=user.id, display_name=user.display_name, avatar_url=user.avatar_url, avatar_hue=user.avatar_hue
    )


def note_card_out(note: Note) -> NoteCardOut:
    from shop.core.storage import media_url, thumb_size

    cover = note.images[0]
    width, height = thumb_size(cover.width, cover.height)
    return NoteCardOut(
        id=note.id,
        title=note.title,
        cover=ImageOut(url=media_url(cover.thumb_key), width=width, height=height),
        author=_user_ref(note.author),
        like_count=note.like_count,
        product_count=note.product_count,
        disclosure=binding.disclosure(note.disclosure_kind, note.deal),
    )


def note_out(note: Note, products: list[Product], *, liked: bool = False, saved: bool = False) -> NoteOut:
    from shop.catalog.schemas import product_card_out
    from shop.core.storage import media_url

    return NoteOut(
        id=note.id,
        title=note.title,
        body=note.body,
        topics=[t.topic for t in note.topics],
        author=_user_ref(note.author),
        images=[
            NoteImageOut(
                id=image.id,
                url=media_url(image.key),
                thumb_url=media_url(image.thumb_key),
                width=image.width,
                height=image.height,
                tags=[TagOut(product_id=t.product_id, x=t.x, y=t.y) for t in image.tags],
            )
            for image in note.images
        ],
        products=[
            TaggedProductOut(id=card.id, name=card.name, price=card.price, image=card.image)
            for card in map(product_card_out, products)
        ],
        disclosure=binding.disclosure(note.disclosure_kind, note.deal),
        like_count=note.like_count,
        save_count=note.save_count,
        comment_count=note.comment_count,
        created_at=note.created_at,
        status=note.status,
        published_at=note.published_at,
        liked=liked,
        saved=saved,
    )


def comment_out(
    comment: Comment, *, liked: frozenset[int] = frozenset(), replies: Sequence[Comment] = ()
) -> CommentOut:
    """`liked` holds the ids the viewer liked; `replies` are the thread under a top-level comment."""
    return CommentOut(
        id=comment.id,
        body=comment.body,
        author=_user_ref(comment.author),
        parent_id=comment.parent_id,
        created_at=comment.created_at,
        like_count=comment.like_count,
        liked=comment.id in liked,
        replies=[comment_out(reply, liked=liked) for reply in replies],
    )
