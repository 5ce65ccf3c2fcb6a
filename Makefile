# Two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
# Each sets itself up: Debian packages (when root), a virtual environment in .venv with the
# pinned dependencies, and the compiled translations.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
MO     := locale/ja/LC_MESSAGES/clearline.mo

.PHONY: run test setup system-deps lint format catalogs bench mutation dist

run: setup
	$(PY) main.py

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	$(PY) bench/parsers_linear.py --check

setup: system-deps $(STAMP) $(MO)

system-deps:
	@sh tools/system-deps.sh

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Clearline needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dist]'
	@touch $(STAMP)

$(MO): locale/ja/LC_MESSAGES/clearline.po $(STAMP)
	$(VENV)/bin/pybabel compile -d locale -D clearline

# The packaged application: dist/Clearline/ (run dist/Clearline/Clearline) and the release
# archive dist/Clearline-<version>-linux-x86_64.tar.gz (with install.sh, a menu entry, an icon
# and the polkit action for the capture).
dist: setup $(MO)
	rm -rf dist/Clearline build/pyinstaller
	$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/clearline.spec
	$(PY) packaging/archive.py dist

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Refresh the message catalog after changing user-facing strings, then translate the new
# entries in locale/ja/LC_MESSAGES/clearline.po (tests fail while any is untranslated).
catalogs: setup
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ -k said -k Np_:1,2 -k ngettext:1,2 --no-location \
		--omit-header -o locale/clearline.pot checks journal cases reports app cli gui main.py
	$(VENV)/bin/pybabel update -i locale/clearline.pot -d locale -D clearline \
		--width 100 --ignore-obsolete

bench: setup
	@sh tools/system-deps.sh tcpdump tshark
	$(PY) bench/run_all.py

# Mutation testing of the decision modules (tools/mutation.py): about 20 minutes on 2 cores
# (MUTATION_MINUTES); scores go to docs/mutation.md. Not part of `make test`.
mutation: setup
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[mutation]'
	QT_QPA_PLATFORM=offscreen $(PY) tools/mutation.py

# The Windows path under Wine: `make test-windows`, `make dist-windows` (tools/wine/README.md).
# Included last: `make` alone stays `make run`.
include tools/wine/Makefile.fragment
