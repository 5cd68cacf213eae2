# The two commands of the README. Each makes and fills its own virtualenv,
# so a fresh clone needs nothing but Python 3.11, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench fuzz clean

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
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/ruff format --check src tests bench fuzz

# Every fuzz harness in turn for FUZZ_SECONDS each (default 60): coverage-guided with
# atheris (pip install -e '.[fuzz]'), else a seeded plain mutation loop.  CI runs a short
# plain budget through tests/test_fuzz.py; see docs/fuzzing.md.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python fuzz/run.py

# Every speed and memory figure of the README, each ratio next to its floor.
bench: $(STAMP)
	$(BIN)/python bench/bench_xml_to_rest.py
	$(BIN)/python bench/bench_rest.py
	$(BIN)/python bench/bench_url.py
	$(BIN)/python bench/bench_definitions.py
	$(BIN)/python bench/bench_adversarial.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_client.py
	$(BIN)/python bench/bench_run_many.py
	$(BIN)/python bench/bench_batch.py

clean:
	rm -rf $(VENV)
