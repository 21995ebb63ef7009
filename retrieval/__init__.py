"""retrieval: embeddings, the Chroma index, ingestion and retrievers (depends on knowledge)."""

import kefu  # noqa: F401  (offline switches before any third-party import)
