# Two commands for a fresh machine with Python 3 and make (see README.md):
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test
# (and `make slides CHAPTER=01` presents one chapter as slides with live widgets)
# Both create (once) and reuse the virtual environment in .venv/.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pytest options; e.g. `make test PYTEST_ARGS="-x -k neuron"`
PYTEST_ARGS ?=
# Test processes (pytest-xdist): 2 for a 2-core machine; 0 runs everything in this one.
# Each test file (and each notebook) stays in one process, so a notebook's cells run in
# order in one kernel and a file's cached runs are trained once.
PYTEST_WORKERS ?= 2
# One BLAS thread: the course's matrices are small, and on a busy 2-core machine (tests,
# a voila kernel and a browser at once) OpenBLAS's extra threads made a 400 x 64 matrix
# product 100 times slower (0.03 ms -> 3-20 ms) and training 4 times slower; alone, one
# thread is as fast (0.53 s against 0.59 s for a training run). Override it if you like.
export OPENBLAS_NUM_THREADS ?= 1
# The chapter `make slides` presents: its notebook's name or its number (01, 04a, ...).
CHAPTER ?= 01

.PHONY: lab slides test gifs check-gifs notebooks benchmark lock clean

# Install the locked versions; if they do not install on this Python (a newer
# release, say), fall back to the newest versions pyproject.toml allows. (The install
# line is not echoed: its fallback's warning would print even when the locked install works.)
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]' || \
	  { echo "warning: the locked versions do not install here; using the ranges in pyproject.toml"; \
	    $(BIN)/python -m pip install --quiet -e '.[test]'; }
	touch $@

lab: $(STAMP)
	$(BIN)/python -m course_utils lab

slides: $(STAMP)
	$(BIN)/python -m course_utils slides $(CHAPTER)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadscope --nbval --nbval-current-env tests notebooks $(PYTEST_ARGS)

# Rebuild every GIF in imgs/ from code (or check them: make check-gifs).
gifs: $(STAMP)
	$(BIN)/python -m course_utils gifs

check-gifs: $(STAMP)
	$(BIN)/python -m course_utils gifs --check

# Re-execute every notebook in place, so its stored outputs match the code.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

benchmark: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

# Refresh requirements.lock from the environment (after changing pyproject.toml).
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^course-utils' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
