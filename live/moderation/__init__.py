"""Live chat moderation: deletes, mutes, host-wide blocks, keyword lists, slow mode, chat commands
and the action log. Everything lives in the DB, so every app process sees the same state."""
