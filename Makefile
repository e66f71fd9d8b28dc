# profilekeeper — `make demo` to try it, `make test` to check it. Needs only python3 (3.11+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# System packages the tests use: a real Secret Service keyring on a private D-Bus, tmux, and a
# PostgreSQL server for the retailer server's tests (started per test run on 127.0.0.1), and khal
# and khard, which read the vdir export in its tests.
SYSTEM_PKGS  := dbus gnome-keyring tmux postgresql khal khard
PYTEST_ARGS  ?=

.PHONY: all venv demo test test-nokeyring system-deps lint bench lock clean

all: venv

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "profilekeeper needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "pip>=25.1"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e . --group dev
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

demo: venv
	$(BIN)/profilekeeper demo

system-deps:
	@missing=""; for pkg in $(SYSTEM_PKGS); do dpkg -s $$pkg >/dev/null 2>&1 || missing=1; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $(SYSTEM_PKGS)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(SYSTEM_PKGS) >/dev/null; \
	fi

# The whole suite runs on a private session bus with a fresh, unlocked gnome-keyring (its files
# in a temporary HOME), so keyring tests use a real Secret Service and never the user's own.
test: lint system-deps
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	HOME=$$tmp XDG_DATA_HOME=$$tmp/share XDG_RUNTIME_DIR=$$tmp PROFILEKEEPER_REQUIRE_KEYRING=1 PROFILEKEEPER_REQUIRE_POSTGRES=1 PROFILEKEEPER_REQUIRE_KHAL=1 \
	dbus-run-session -- sh -c 'echo -n ci-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		$(BIN)/pytest -n 2 $(PYTEST_ARGS)'
	$(MAKE) --no-print-directory test-nokeyring

# Once more with no D-Bus at all: keyring has no backend and must fall back to the passphrase.
test-nokeyring: venv
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=$$tmp \
		$(BIN)/pytest -m nokeyring $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check profilekeeper tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Every benchmark and guarantee (benchmarks/bench_*.py, benchmarks/guarantee_*.py: a new script
# joins by its name), each writing its figures to benchmarks/results/; then one table of them all,
# benchmarks/results.md. All run on a private bus with a fresh, unlocked gnome-keyring, so remind
# and the app are timed against a real Secret Service, with bytecode cached as after an install.
bench: venv system-deps
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt --group bench
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	HOME=$$tmp XDG_RUNTIME_DIR=$$tmp dbus-run-session -- sh -c 'echo -n bench-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		for script in benchmarks/bench_*.py benchmarks/guarantee_*.py; do \
			echo "== $$script"; $(BIN)/python "$$script" || exit 1; done'
	$(BIN)/python benchmarks/table.py

# Re-pin every installed package after changing dependencies in pyproject.toml.
lock: venv
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
