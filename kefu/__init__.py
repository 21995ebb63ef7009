"""kefu: shared foundations (settings, offline switches) that every layer may import."""

import os

# Gradio and Chroma phone home, and Hugging Face libraries look for hub updates, unless told
# not to. kefu must run air-gapped, so these are set before any of those libraries is imported:
# each top-level package imports `kefu` first.
for _name, _value in {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
