# The two commands a newcomer needs:  `make demo`  (the main job)  and  `make test`.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_BIN := .build/release/ntk

.PHONY: deps build release demo test python-test validate false-fail bench sanitize clean install figures figures-data

# GMP and MPFR headers are needed to compile. Fresh machines of this kind have libgmp-dev
# but not libmpfr-dev, so install whatever is missing (as root, or through sudo).
deps:
	@if ! pkg-config --exists mpfr gmp 2>/dev/null && ! { [ -f /usr/include/mpfr.h ] && [ -f /usr/include/gmp.h ]; }; then \
	  echo "installing libgmp-dev libmpfr-dev with apt-get" >&2; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libgmp-dev libmpfr-dev pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product ntk

demo: release
	$(RELEASE_BIN) table

# Puts `ntk` on the PATH: PREFIX=/usr/local by default (PREFIX=$$HOME/.local for your own).
PREFIX ?= /usr/local
install: release
	install -d "$(PREFIX)/bin"
	install -m 755 $(RELEASE_BIN) "$(PREFIX)/bin/ntk"

# The committed figures in derivations/figures/, regenerated here and nowhere else. The single
# `chart` lines are also replayed by the test suite, which checks that the committed files are
# what they produce. The Monte Carlo points of depth-m100.svg are the committed validate runs
# in derivations/figures/monte-carlo (`make figures-data` simulates them again, ~10 minutes).
FIGURE_DIR := derivations/figures
figures: release
	$(RELEASE_BIN) chart --kind convergence --output $(FIGURE_DIR)/convergence.svg
	$(RELEASE_BIN) chart --kind dispersion --output $(FIGURE_DIR)/dispersion.svg
	$(RELEASE_BIN) chart --kind depth --sigma2 1.5,2,2.5 --depths 1:49 --widths-grid 100 --overlay $(FIGURE_DIR)/monte-carlo --output $(FIGURE_DIR)/depth-m100.svg
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for s in 1.5 2 2.5; do \
	  $(RELEASE_BIN) offdiag --width 100 --depth 49 --depths 1:49:4 --sigma2 $$s --samples 500 --seed 1 \
	    --max-seconds 3600 --format json > "$$tmp/offdiag-sigma2-$$s.json" || exit 1; \
	done && \
	$(RELEASE_BIN) chart --kind offdiag-depth --offdiag "$$tmp"/offdiag-sigma2-{1.5,2,2.5}.json \
	  --correlation 0,0.5,0.9 --output $(FIGURE_DIR)/offdiag-depth.svg && \
	$(RELEASE_BIN) chart --kind offdiag-correlation --offdiag "$$tmp"/offdiag-sigma2-{1.5,2,2.5}.json \
	  --depths 5,49 --output $(FIGURE_DIR)/offdiag-correlation.svg

figures-data: release
	for s in 2 2.5; do for L in 5 10 20 30 40; do \
	  $(RELEASE_BIN) validate --width 100 --depth $$L --sigma2 $$s --samples 20000 --seed 1 --threads 2 --format json \
	    > $(FIGURE_DIR)/monte-carlo/validate-M100-L$$L-s$$s.json.tmp && \
	  mv $(FIGURE_DIR)/monte-carlo/validate-M100-L$$L-s$$s.json.tmp $(FIGURE_DIR)/monte-carlo/validate-M100-L$$L-s$$s.json || exit 1; \
	done; done

# The builds first: the debug build with its tests, and the release engine that the Python
# wheel packs (python-test's `pip wheel` then finds it compiled). Then the Swift tests, a real
# single-node Slurm cluster running `ntk slurm` jobs (Tests/Cluster/; installs slurm-wlm and
# munge when missing, about 30 s after that), and the Python package built, installed and
# tested (python-test). .ci/swift-test is `swift test`, repeating its failures at the end.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build -c release --product ntk
	@echo "make test: builds done at $$(date +%T); the tests follow"
	SWIFT=$(SWIFT) .ci/swift-test --skip-build
	Tests/Cluster/slurm-cluster.sh .build/debug/ntk
	$(MAKE) --no-print-directory python-test
	@echo "make test: all passed at $$(date +%T)"

# The Python package (python/): built and installed into virtual environments under
# .build/python (without and with its optional extras) and tested there with pytest.
python-test: deps
	python/tests/run-installed.sh

clean:
	rm -rf .build .build-asan .build-tsan

# The fixed Monte Carlo validation suite (about 1–2 minutes on 2 cores; at most 5).
validate: release
	$(RELEASE_BIN) validate suite

# False-FAIL rate of validate, offdiag, step and distribution at their documented settings,
# 200 seeds each (not part of `make test`; about 2 hours on 2 cores, see docs/guarantees.md).
false-fail: release
	Tests/Cluster/false-fail-rate.sh $(RELEASE_BIN) 200

# Release-mode benchmarks: medians of several runs, with their targets.
bench: deps
	$(SWIFT) build -c release --product ntk-bench
	.build/release/ntk-bench
	$(SWIFT) build -c release --product ntk
	PYTHONPATH=python/src NTK_ENGINE=$(RELEASE_BIN) python3 python/bench/overhead.py

# The test suite under AddressSanitizer (with LeakSanitizer), and the Monte Carlo tests under
# ThreadSanitizer. CI runs this after `make test`. Separate build folders keep the normal
# build untouched.
sanitize: deps
	NTK_SANITIZER=address ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp \
	  SWIFT=$(SWIFT) .ci/swift-test --sanitize=address --scratch-path .build-asan
	NTK_SANITIZER=thread SWIFT=$(SWIFT) .ci/swift-test --sanitize=thread --scratch-path .build-tsan --filter MonteCarloTests
