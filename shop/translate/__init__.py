"""Translating what people wrote (notes, comments, chat lines) through a pluggable provider."""
