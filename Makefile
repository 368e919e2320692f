# One entry point for developers, the README and CI: the same targets everywhere.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium poppler-utils

.PHONY: all setup system check build serve test bench clean

all: build

## setup: a virtual environment with the toolchain and its test tools
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## system: Debian packages the tests read outputs with (headless Chromium, poppler)
system:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

check: setup
	$(BIN)/report check

build: setup
	$(BIN)/report build

serve: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

test: setup system
	$(BIN)/python -m pytest -q

clean:
	rm -rf build
