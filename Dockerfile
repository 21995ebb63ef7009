# The kefu app image (production replicas talk to vLLM, PostgreSQL and Chroma over the network).
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 KEFU_HOME=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY kefu kefu
COPY bot bot
COPY knowledge knowledge
COPY retrieval retrieval
COPY serving serving
COPY ui ui
# CPU torch: the app itself only embeds queries; generation happens on the vLLM server.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu 'torch==2.13.0' && pip install .
EXPOSE 8000
CMD ["kefu", "serve", "--host", "0.0.0.0", "--port", "8000"]
