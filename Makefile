# Two commands set up and check a fresh machine:
#   make demo   create .venv, install drafter, draft every example into out/
#   make test   run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo test install bench house-style clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,fast,web]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	@for f in $(EXAMPLES); do \
	  name=$$(basename $$f .yaml); \
	  $(BIN)/drafter draft $$f -o out/$$name.docx || exit 1; \
	done
	@echo "drafted $(words $(EXAMPLES)) examples into out/"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

# Rebuild the shipped default house style (after changing org.yaml or the style code).
house-style: $(STAMP)
	$(BIN)/python -m drafter.writers.docx.house templates/house-style.docx --org org.yaml

clean:
	rm -rf out .drafter .pytest_cache
