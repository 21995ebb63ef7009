"""serving: HTTP API, CLI, model serving and the composition root (depends on bot, ui)."""

import kefu  # noqa: F401  (offline switches before any third-party import)
