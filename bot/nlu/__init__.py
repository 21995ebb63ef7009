"""Understanding: one step per message, from text to a structured ``Command``.

``rules.understand`` is the deterministic command generator (the embedded default);
``model.ModelCommandGenerator`` asks a capable tool-calling model for the same schema and falls
back to the rules when its output does not validate. ``items.resolve_lines`` maps the items a
command names onto an order's actual lines; ``variants.choose_variant`` picks the variant wanted.
"""
