"""knowledge: documents, loaders and chunking; the demo knowledge base (depends on nothing)."""

import kefu  # noqa: F401  (offline switches before any third-party import)
