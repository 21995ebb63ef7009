"""ui: the Gradio chat front end and operator console (depends on bot)."""

import kefu  # noqa: F401  (offline switches before any third-party import)
