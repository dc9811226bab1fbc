# The template's own tasks. `make demo` and `make test` are the two commands in README.md.
# Every task runs in .venv, installed from uv.lock; where uv is missing, it comes from PyPI first.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --locked
DEMO := build/expense-classifier
# With pyenv, uv sees every installed Python 3.11 or newer: the tests install projects on each.
export PYENV_VERSION ?= $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.1[1-9]' | paste -sd: -)

.PHONY: setup demo test test-slow lint lock benchmark clean

# Bytecode is written at install: where PYTHONDONTWRITEBYTECODE is set, every process the tests start
# would otherwise compile scikit-learn and pandas again, seconds each.
setup: $(UV)
	$(UV) sync --locked --compile-bytecode

# The uv that uv.lock pins, into a folder of its own.
$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet "uv==$$(python3 -c 'import tomllib; print(next(p["version"] \
	    for p in tomllib.load(open("uv.lock", "rb"))["package"] if p["name"] == "uv"))')"

# Bake the default project into build/ and run every stage as its README says.
demo: setup
	rm -rf $(DEMO)
	$(RUN) cookiecutter --no-input --output-dir build .
	PATH="$(dir $(UV)):$$PATH" $(MAKE) -C $(DEMO) run

# The quick suite; the slow proofs (installs, drift, reproducibility, mutations, CI runs) are apart.
test: setup
	$(RUN) pytest -m "not slow"

test-slow: setup
	$(RUN) pytest -m slow --durations=10

lint: setup
	$(RUN) ruff check hooks tests scripts benchmarks local_extensions.py
	$(RUN) ruff format --check hooks tests scripts benchmarks local_extensions.py

# Move every lock to the newest releases: the template's and the one each project is baked with.
lock: setup
	$(RUN) python scripts/lock.py

# Time and memory of every stage at 10k, 100k and 1M rows; writes the table into README.md.
benchmark: setup
	$(RUN) python benchmarks/run.py

clean:
	rm -rf .venv .tools build
