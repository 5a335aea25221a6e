# Dateline: the two commands of the README, and a few more.
#   make serve   set up .venv with what a site needs, build the sample site and preview it with live reload
#   make test    add the test tools to .venv (and Debian's chromium, rsync, sshd) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One venv, two layers, each installed again only when its requirements change: what building and previewing
# need (requirements.txt, about 70 MB), then the test and lint tools (requirements-dev.txt, about 500 MB more).
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: serve build test bench clean lint chromium rsync

serve: $(RUNTIME)
	$(PY) build.py serve

build: $(RUNTIME)
	$(PY) build.py build

test: $(DEV) chromium rsync
	$(PY) -m pytest

lint: $(DEV)
	$(VENV)/bin/ruff check dateline tests bench

bench: $(DEV)
	$(PY) bench/run.py

$(RUNTIME): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.runtime-* && touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.dev-* && touch $@

# The live-reload tests drive a real browser: Debian's chromium, never a downloaded build.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The publish tests send files through a real rsync daemon, and rsync over ssh to an sshd of their own,
# on 127.0.0.1.
rsync:
	@{ command -v rsync && command -v ssh && test -x /usr/sbin/sshd; } >/dev/null 2>&1 || { \
	  echo "Installing rsync and OpenSSH for the publish tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq rsync \
	    openssh-client openssh-server >/dev/null; }

clean:
	rm -rf output .output.next .output.next.tmp .output.mirror .preview .dateline-cache
