# The two commands a newcomer needs:  `make demo`  (the main job)  and  `make test`.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_BIN := .build/release/ntk

.PHONY: deps build release demo test validate bench sanitize clean

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

# After the unit tests: a real single-node Slurm cluster runs `ntk slurm` jobs (Tests/Cluster/;
# installs slurm-wlm and munge when missing, about 30 s after that).
test: deps
	$(SWIFT) test
	$(SWIFT) build --product ntk
	Tests/Cluster/slurm-cluster.sh .build/debug/ntk

clean:
	rm -rf .build .build-asan .build-tsan

# The fixed Monte Carlo validation suite (about 1–2 minutes on 2 cores; at most 5).
validate: release
	$(RELEASE_BIN) validate suite

# Release-mode benchmarks: medians of several runs, with their targets.
bench: deps
	$(SWIFT) build -c release --product ntk-bench
	.build/release/ntk-bench

# The test suite under AddressSanitizer (with LeakSanitizer), and the Monte Carlo tests under
# ThreadSanitizer. CI runs this after `make test`. Separate build folders keep the normal
# build untouched.
sanitize: deps
	NTK_SANITIZER=address ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan
	NTK_SANITIZER=thread $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter MonteCarloTests
