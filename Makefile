# One entry point for developers, the README and CI: the same targets everywhere.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: all setup system check ready build review diff serve test bench clean

all: build

## setup: a virtual environment with the toolchain and its test tools
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## system: Debian packages the tests read outputs with (headless Chromium, poppler, LibreOffice)
system:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The workflows call these same targets. Options come from the environment, never expanded by
# make, so a tag or branch name cannot inject commands: FORMAT, FORMATS, EDITION, FINAL, OUT, BASE,
# REDLINE.
# SINCE_LAST_EDITION=1 adds the site's page of what changed since the newest edition-* tag (if any).
check: setup
	$(BIN)/report check --format "$${FORMAT:-text}"

build: setup
	since=$${SINCE_LAST_EDITION:+$$(git tag --list 'edition-*' --sort=-creatordate 2>/dev/null | head -n 1)}; \
	$(BIN)/report build $${EDITION:+--edition "$$EDITION"} $${FINAL:+--final} $${OUT:+--out "$$OUT"} \
	  $${FORMATS:+--formats "$$FORMATS"} $${REDLINE:+--redline "$$REDLINE"} $${since:+--changes-page "$$since"}

## ready: is the report final? Prints the blockers; final=true|false to $GITHUB_OUTPUT and, when
## blocked, the list to $GITHUB_STEP_SUMMARY (site.yml). Exit 0 either way; 2 if the report is unusable.
ready: setup
	@out=$$($(BIN)/report check --final 2>&1); status=$$?; \
	if [ $$status -eq 0 ]; then final=true; echo "final: nothing blocks the final edition"; \
	elif [ $$status -eq 1 ]; then final=false; printf '%s\n' "$$out"; \
	else printf '%s\n' "$$out" >&2; exit $$status; fi; \
	if [ -n "$$GITHUB_OUTPUT" ]; then echo "final=$$final" >> "$$GITHUB_OUTPUT"; fi; \
	if [ "$$final" = false ] && [ -n "$$GITHUB_STEP_SUMMARY" ]; then \
	  { echo "### Not published: the final edition is blocked"; echo; \
	    echo "The public site stays as it was; this run's artifact holds the working draft."; echo; \
	    echo '```text'; printf '%s\n' "$$out"; echo '```'; } >> "$$GITHUB_STEP_SUMMARY"; \
	fi

review: setup
	@test -n "$$BASE" || { echo "make review needs BASE=<git ref>, e.g. BASE=origin/main" >&2; exit 2; }
	$(BIN)/report review --base "$$BASE" --format "$${FORMAT:-text}"

diff: setup
	@test -n "$$BASE" || { echo "make diff needs BASE=<git ref>, e.g. BASE=origin/main" >&2; exit 2; }
	@$(BIN)/report diff --format "$${FORMAT:-text}" -- "$$BASE"

serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

test: setup system
	$(BIN)/ruff check tools
	$(BIN)/ruff format --check tools
	$(BIN)/mypy tools/reportkit
	$(BIN)/python -m pytest -q

clean:
	rm -rf build

## bench: time the toolchain against the plain tools it wraps, then how its time grows with hostile
## and large input (a report, never a failure). BENCH_ARGS (e.g. --quick or "--sizes tiny") go to the
## first three; growth.py takes --quick from them. QUICK=1 is short for BENCH_ARGS=--quick
BENCH_ARGS ?= $(if $(QUICK),--quick)
bench: setup
	$(BIN)/python tools/bench/bench.py $(BENCH_ARGS)
	$(BIN)/python tools/bench/changes.py $(BENCH_ARGS)
	$(BIN)/python tools/bench/bench_comments.py $(BENCH_ARGS)
	$(BIN)/python tools/bench/growth.py $(filter --quick,$(BENCH_ARGS))
