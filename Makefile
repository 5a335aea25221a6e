# Dateline: the two commands of the README, and a few more.
#   make serve   set up .venv, build the sample site and preview it with live reload
#   make test    set up .venv (with test tools and Debian's chromium) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: serve build test bench clean lint chromium rsync

serve: $(STAMP)
	$(PY) build.py serve

build: $(STAMP)
	$(PY) build.py build

test: $(STAMP) chromium rsync
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check dateline tests bench

bench: $(STAMP)
	$(PY) bench/run.py

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

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
