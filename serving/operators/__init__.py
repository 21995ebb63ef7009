"""Operator features: the human handoff desk, analytics, exports with desensitised personal data,
retention, and the conversation log the console searches (annotations live in ``bot.annotations``:
the assistant reads them as curated answers)."""
