# The two commands of the README, and a few more for developers.
#   make run    set up (apt packages when missing), build, and run the exchange with sample data
#               (MARKET=guangdong, the default, or MARKET=national: tools/data/national/)
#   make test   set up, build, and run every test with ctest
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
MARKET ?= guangdong

.PHONY: all deps configure build test run bench format format-check asan clean

all: build

deps:
	@scripts/setup-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

run: build
	@CARBONX_MARKET=$(MARKET) scripts/run.sh $(BUILD)

bench: build
	@scripts/bench.sh $(BUILD)

# AddressSanitizer + UBSan build and tests in build-asan/.
asan:
	@$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARBONX_SANITIZE=ON"

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

format-check:
	@scripts/format-check.sh

clean:
	@rm -rf $(BUILD) build-asan
