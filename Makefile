# streamnets: `make book` builds the executed HTML book, `make test` proves it.
# Both create the pinned environment (.venv) on demand; nothing is installed by hand.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The "Colab-like" environment: newest TensorFlow/Keras from PyPI, no akida extra.
LATEST := .venv-latest
LATEST_STAMP := $(LATEST)/.installed
BOOK_HTML := book/_build/html/index.html

export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help env env-latest book notebooks test test-pinned test-latest test-peers env-peers browser-deps page-deps bench lint lock clean

help:
	@echo "make book   execute every chapter notebook and build the HTML book"
	@echo "make test   ruff + the whole pytest suite (pinned env), then the core suite on newest TF"
	@echo "make bench  run the performance suite in benchmarks/"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[all]"
	touch $@

env: $(STAMP)

$(LATEST_STAMP): pyproject.toml
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install -q --upgrade pip
	$(LATEST)/bin/python -m pip install -q --upgrade --upgrade-strategy eager \
		-e ".[book,litert,dev]" tensorflow keras
	touch $@

env-latest: $(LATEST_STAMP)

# MoViNet's environment for the peers benchmark: tf-models-official needs other versions
# than the book's set, so it has its own venv and pins (constraints-peers.txt).
PEERS := .venv-peers
PEERS_STAMP := $(PEERS)/.installed

$(PEERS_STAMP): pyproject.toml constraints-peers.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install -q --upgrade pip
	$(PEERS)/bin/python -m pip install -q -c constraints-peers.txt -e ".[litert,peers,dev]"
	touch $@

env-peers: $(PEERS_STAMP)

# The peers smoke test runs where that environment exists (make env-peers); CI has none.
test-peers:
	@if [ -x $(PEERS)/bin/python ]; then $(PEERS)/bin/python -m pytest -m peers tests/test_peers.py; \
	else echo "test-peers: no $(PEERS); run 'make env-peers' to include the MoViNet smoke test"; fi

notebooks: $(STAMP)
	$(PY) book/execute.py --out book/notebooks --times benchmarks/results/book_full.json

book: notebooks page-deps
	$(PY) book/build.py --times benchmarks/results/book_build.json
	@echo "Book built: $(CURDIR)/$(BOOK_HTML)"

browser-deps:
	bash tests/browser/install.sh

# LiteRT.js for the "In your browser" page, which the book build copies next to it.
page-deps:
	bash tests/browser/install.sh --page

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test-pinned: $(STAMP) browser-deps lint
	$(PY) -m pytest

# Core unit tests and the chapter notebooks (CI mode) on the newest TF/Keras: what a
# reader's `pip install` in Colab gets.
test-latest: $(LATEST_STAMP)
	$(LATEST)/bin/python -m pip list 2>/dev/null | grep -E "^(tensorflow|keras) "
	$(LATEST)/bin/python -m pytest -m "not akida and not book and not browser and not peers"

test: test-pinned test-latest test-peers

bench: $(STAMP) $(PEERS_STAMP)
	$(PY) benchmarks/run_all.py

# Re-resolve the pinned set (run by a maintainer, then commit constraints.txt).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q -e ".[all]"
	{ echo "# Exact pins of the reproducible environment (Python 3.11), the one place versions are fixed."; \
	  echo "# Used as pip constraints by the Makefile and environment.yml; regenerate with 'make lock'."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^streamnets'; } > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf book/_build book/notebooks book/auto_examples book/api/generated benchmarks/results
