.PHONY: test lint demo bench
VENV ?= .venv

$(VENV)/bin/qa:
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -e '.[test]'

test: $(VENV)/bin/qa
	$(VENV)/bin/python -m pytest

demo: $(VENV)/bin/qa
	$(VENV)/bin/qa ask "What is the CDN floor?"

lint: $(VENV)/bin/qa
	$(VENV)/bin/pip install -q ruff mypy && $(VENV)/bin/ruff check qa index prompts eval tests && $(VENV)/bin/mypy qa index prompts eval

bench: $(VENV)/bin/qa
	$(VENV)/bin/python -m eval.bench_repl
