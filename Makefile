# Sinergi: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# Every step of `make run` sees the port: links made by the demo data and the worker follow it.
export PORT
BIN := $(VENV)/bin
PY := $(BIN)/python
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test browser pdf-tools lint format messages bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	@echo "Sinergi: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=$${DEBUG:-true} \
		$(PY) scripts/supervise.py -f Procfile.dev

# The PDF tests judge with poppler (pdffonts, pdftotext, pdfsig) and qpdf.
pdf-tools:
	@if ! command -v pdfsig >/dev/null || ! command -v qpdf >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing poppler-utils and qpdf for the PDF tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils qpdf >/dev/null; \
		else \
			echo "poppler-utils or qpdf is missing: install them for the PDF tests"; \
		fi; \
	fi

# End-to-end tests need Debian's Chromium; install it when it is missing and we may.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the end-to-end tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing and cannot be installed here: end-to-end tests will be skipped"; \
		fi; \
	fi

test: install-test browser pdf-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract strings into locale/id (needs GNU gettext); the compiled .mo is committed.
messages: install
	cd sinergi && DEBUG=true ../$(PY) ../manage.py makemessages -l id --no-obsolete --add-location file
	cd sinergi && DEBUG=true ../$(PY) ../manage.py compilemessages -l id

bench: install
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static
