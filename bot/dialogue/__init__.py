"""Dialogue management: the state a conversation is in (``state``), and the turn that moves it
(``manager``): a pending change confirmed or repaired, a slot the bot asked for filled, or a new
flow started from the understood command."""
