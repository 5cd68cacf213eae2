# The two commands of the README. Each makes and fills its own virtualenv,
# so a fresh clone needs nothing but Python 3.11, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Main job: convert a captured prompt-answer XML to a REST body.
demo: $(STAMP)
	$(BIN)/mstr-prompts convert --from xml --to rest fixtures/xml/library-hierarchy-key-lcl.xml

# Everything CI runs.
test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Every speed and memory figure of the README, each ratio next to its floor.
bench: $(STAMP)
	$(BIN)/python bench/bench_xml_to_rest.py
	$(BIN)/python bench/bench_rest.py
	$(BIN)/python bench/bench_url.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_run_many.py

clean:
	rm -rf $(VENV)
