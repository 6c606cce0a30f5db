# Station — the two commands are `make demo` and `make test` (`make check` is the quick path).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Three workers on this 2-CPU machine: the crash, round-trip and worker-kill tests spend
# most of their time waiting on subprocesses and Cin7's pacing, so a third worker keeps
# both CPUs busy (whole suite 9:40 with two, 6:38 with three, measured on a quiet
# machine). Work stealing with the long tests first (tests/conftest.py) ends them
# together. PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 3 --dist worksteal

.PHONY: demo test check bench install services chromium fonts lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,redis,server,karrio]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) fonts

## Run Station on embedded defaults: SQLite, the Cin7 sandbox with demo data, jobs in-process.
demo: $(STAMP) fonts
	$(BIN)/station demo --host 127.0.0.1 --port 5000

## Install what the tests need and run the whole suite (SQLite, PostgreSQL, Redis).
test: $(STAMP) services chromium fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The quick path after each change: no slow, browser or PostgreSQL tests, every CPU.
check: $(STAMP) fonts
	$(BIN)/python -m pytest -n auto -m "not slow and not e2e and not postgres"

## Benchmarks: writes benchmarks/report.json and report.md (scale_out needs PostgreSQL and Redis).
bench: $(STAMP) services fonts
	$(BIN)/python -m benchmarks.run --out benchmarks/report.json

## Start PostgreSQL and Redis when this machine has them installed but stopped.
services:
	@scripts/ensure-services

## Debian's Chromium for the browser tests (no browser download is reachable here).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

## Fonts for names and addresses in every script on PDF labels and packing slips: Noto Sans
## (Latin, Greek, Cyrillic, Hebrew, Arabic) and WenQuanYi Micro Hei (Chinese, Japanese,
## Korean; Noto's CJK fonts have PostScript outlines, which reportlab cannot embed).
FONT_FILES := /usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
fonts:
	@ls $(FONT_FILES) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-noto-core fonts-wqy-microhei fonts-dejavu-core >/dev/null)

lint: $(STAMP)
	$(BIN)/python -m ruff check station printers tests

clean:
	rm -rf $(VENV) instance .pytest_cache
