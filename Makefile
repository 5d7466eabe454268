# Two commands set Signet up on a fresh Debian 12 machine: `make run` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps test-deps build run test test-normal test-asan bench format clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Builds and serves on http://127.0.0.1:8080 with SQLite in ./var; prints demo credentials.
run: build
	$(BUILD)/signet serve --data ./var --demo

# Every test, normally and under ASan+UBSan; non-zero on any failure.
test: test-deps
	@$(MAKE) --no-print-directory test-normal
	@$(MAKE) --no-print-directory test-asan

test-normal: test-deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DSIGNET_TESTS=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: test-deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSIGNET_TESTS=ON -DSIGNET_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/http/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
