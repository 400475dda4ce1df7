# Two commands matter: `make demo` (install, then run the demo on SQLite + local files)
# and `make test` (install, then lint, type-check and run the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Debian packages: Chromium for the browser tests (Playwright drives it, never a downloaded
# browser); libvips-tools and ImageMagick only for the benchmarks' baselines.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_TEST := chromium
APT_BENCH := libvips-tools imagemagick

.PHONY: install system-test system-bench demo test lint bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV) || (apt-get update && apt-get install -y python3-venv && python3 -m venv $(VENV))
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-test:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(APT_TEST))

system-bench:
	@command -v vipsthumbnail >/dev/null && command -v convert >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(APT_BENCH))

demo: install
	$(VENV)/bin/shotline demo

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

test: lint system-test
	$(VENV)/bin/pytest -q

bench: install system-bench
	$(PY) benchmarks/intake_import.py

clean:
	rm -rf $(VENV) .shotline .pytest_cache .mypy_cache .ruff_cache
