# The two set-up commands of the README: `make run` and `make test`.
JOBS ?= $(shell nproc)
SCENARIO ?= scenarios/black-friday/problem.yaml

.PHONY: deps release dev run test bench fuzz clean install deb
PREFIX ?= /usr/local
deps:
	./scripts/install-deps.sh

release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

dev: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

run: release
	./build/release/archsim run $(SCENARIO)

test: dev
	ctest --preset dev -j $(JOBS)

bench: release
	./build/release/archsim-bench

# Installs the release build under $(PREFIX) (DESTDIR works too).
install: release
	cmake --install build/release --prefix $(PREFIX)

# A Debian package of the release build: build/release/archsim_<version>_<arch>.deb
deb: release
	cd build/release && cpack -G DEB

# The loader's fuzz target for FUZZ_SECONDS (default 10 minutes); needs clang.
FUZZ_SECONDS ?= 600
fuzz:
	./scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build
