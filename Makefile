# Two commands set everything up on a fresh machine:
#   make reproduce   builds the environment and reproduces the classic studies
#   make test        builds the environment (with test tools) and runs the tests
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: reproduce test lint bench browser fashion pictures clean docs

$(BIN)/actinit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[mnist]'
	touch $@

$(VENV)/.test-installed: $(BIN)/actinit
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $@

$(VENV)/.docs-installed: $(BIN)/actinit
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

reproduce: $(BIN)/actinit
	$(BIN)/actinit reproduce

# Debian's Chromium drives the playground's browser tests (Playwright cannot download one here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

test: $(VENV)/.test-installed browser
	$(BIN)/ruff check src tests benchmarks docs/hooks.py docs/run_notebooks.py
	$(MAKE) docs
	$(BIN)/python -m pytest

# The documentation site, offline, into site/: the notebooks run with a small budget
# (again only when their source changed), then a strict build (any warning fails it).
docs: $(VENV)/.docs-installed
	$(BIN)/python docs/run_notebooks.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet -d site
	@echo "the site: python -m http.server -d site, then open http://localhost:8000/ (from the disk, search cannot start)"

# Debian's dataset-fashion-mnist: the full Fashion-MNIST for the full-size benchmark.
fashion:
	@test -d /usr/share/datasets/fashion-mnist || (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null)

bench: $(VENV)/.test-installed fashion
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_fashion.py
	$(BIN)/python benchmarks/bench_playground.py
	$(BIN)/python benchmarks/bench_answers.py
	$(BIN)/python benchmarks/bench_reproduce.py
	$(BIN)/python benchmarks/bench_modern.py
	$(BIN)/python benchmarks/bench_ranking_power.py
	$(BIN)/python benchmarks/bench_blas_threads.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/actinit calibrate --sims 2000 --markdown docs/guide/error-rates.md

# The documentation's pictures, made by actinit's own commands.
PICTURES = docs/images
pictures: $(BIN)/actinit
	mkdir -p $(PICTURES)
	$(BIN)/actinit plot activations relu,leaky_relu,elu,gelu,swish,sigmoid,tanh,softplus --derivatives -o $(PICTURES)/activations.png
	$(BIN)/actinit run blobs --db $(PICTURES)/pictures.sqlite --seeds 10 > /dev/null
	$(BIN)/actinit plot blobs --kind heatmap --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/blobs-heatmap.png
	$(BIN)/actinit plot blobs --kind ranking --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/blobs-ranking.png
	$(BIN)/actinit plot blobs --kind effects --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/blobs-effects.png
	$(BIN)/actinit plot parabola --kind feature-space --activation tanh --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/parabola-feature-space.png
	$(BIN)/actinit plot depth --kind gradients --activation sigmoid --init "small random" --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/depth-sigmoid-gradients.png
	$(BIN)/actinit plot blobs --kind updates --activation tanh --init zeros --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/blobs-zeros-updates.png
	$(BIN)/actinit animate parabola --activation relu --frames 16 --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/parabola-relu.gif
	$(BIN)/actinit run depth --seeds 1 --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit plot depth --kind depth-theory --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/depth-theory.png
	$(BIN)/actinit plot depth --kind heatmap --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/depth-heatmap.png
	$(BIN)/actinit theory tanh -o $(PICTURES)/tanh-phase.png > /dev/null
	$(BIN)/actinit plot jacobian tanh,relu -o $(PICTURES)/jacobian-spectra.png
	$(BIN)/actinit plot activations squared_relu,snake,rational,glu,reglu,geglu,swiglu,bilinear -o $(PICTURES)/activations-since-2017.png
	$(BIN)/actinit run zoo --seeds 10 --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit plot zoo --kind ranking --where data=spiral --metric epochs_to_target --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/zoo-spiral-speed.png
	$(BIN)/actinit run isometry --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit run trainability --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit plot trainability --kind trainability --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/trainability.png
	$(BIN)/actinit run prune --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit plot prune --kind pruning --where data=mnist --where initializer=he_normal --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/prune-mnist.png
	$(BIN)/actinit plot prune --kind pruning-flops --where data=mnist --where initializer=he_normal --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/prune-mnist-flops.png
	$(BIN)/actinit run lottery --db $(PICTURES)/pictures.sqlite > /dev/null
	$(BIN)/actinit plot lottery --kind lottery --db $(PICTURES)/pictures.sqlite -o $(PICTURES)/lottery.png
	rm -f $(PICTURES)/pictures.sqlite*

clean:
	rm -rf $(VENV) build *.egg-info site docs/examples
