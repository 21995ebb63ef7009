"""bot: the conversation engine every channel calls (depends on retrieval, knowledge)."""

import kefu  # noqa: F401  (offline switches before any third-party import)
