# eddy -- build, test and benchmark.
#
#   make              build ./eddy (and libeddy.a, the embeddable engine)
#   make test         every test suite, with a closing "N passed, N failed"
#   make test-asan    the same suites under AddressSanitizer + UBSan
#   make check        all of it: test, test-asan, valgrind on the CLI and the
#                     browser test (skipped when Chromium is not installed)
#   make test-browser `eddy report` rendered in headless Chromium
#   make bench        the benchmarks in bench/ (not part of the tests)
#   make install      ./eddy to PREFIX/bin, the labs to PREFIX/share/eddy/labs
#   make fuzz         each libFuzzer harness in tests/fuzz/ for FUZZ_SECONDS
#                     (default 60), built with clang under ASan + UBSan
#   make MPI=1        also ./eddy-mpi, which spreads the runs of diagnose, fix,
#                     sweep and basin over MPI ranks (OpenMPI: libopenmpi-dev,
#                     openmpi-bin).  `make test` builds and tests it whenever
#                     mpicc and mpirun are installed; ./eddy never links MPI.
#
# Sources are found by directory, so a new file in a layer needs no edit
# here.  Layers, lowest first: core, model, sd (stock-and-flow models read
# from XMILE), engine, loops, analysis, output;
# the CLI sits on top and is a thin client of the library.

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror
# Link-time optimisation lets the engine inline the core's small hot
# functions (heap, pool, random numbers) across files.
OPT     ?= -O2 -g -flto=auto
AR      := gcc-ar
PKGS    := yaml-0.1 jansson libxml-2.0
CFLAGS_PKG := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_PKG   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml -ljansson -lxml2)
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Iinclude $(CFLAGS_PKG)
LDLIBS  += $(LIBS_PKG) -lm -lpthread
LDFLAGS ?= $(filter -flto%,$(OPT))

BUILD   ?= build
LAYERS  := core model import sd engine loops analysis output
LIB_SRC := $(foreach d,$(LAYERS),$(wildcard src/$(d)/*.c))
CLI_SRC := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB     := $(BUILD)/libeddy.a
MPICC   ?= mpicc
HAVE_MPI := $(shell command -v $(MPICC) >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 && echo 1)
MPI_BIN := $(if $(HAVE_MPI),$(BUILD)/eddy-mpi)

.PHONY: all test test-asan test-valgrind test-browser check bench clean docs fuzz fuzz-build fuzz-bin install
all: eddy $(if $(filter 1,$(MPI)),eddy-mpi)

eddy: $(BUILD)/eddy
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/eddy: $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# eddy-mpi: the CLI with its own main() (src/mpi/), compiled and linked by
# mpicc; everything else is the same objects as eddy's.
eddy-mpi: $(BUILD)/eddy-mpi
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/eddy-mpi: $(BUILD)/src/mpi/eddy_mpi.o $(filter-out $(BUILD)/src/cli/eddy_main.o,$(CLI_OBJ)) $(LIB)
	$(MPICC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/src/mpi/%.o: src/mpi/%.c
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(wildcard tests/test*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(LIB) $(LDLIBS) $(TEST_LIBS) -lcmocka

# test_report parses the SVG plots with a real XML parser (libxml2); only
# the tests need it, not eddy.
$(BUILD)/tests/test_report: TEST_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
$(BUILD)/tests/test_report: TEST_LIBS = $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
# test_check reads `eddy check --junit` back with libxml2.
$(BUILD)/tests/test_check: TEST_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
$(BUILD)/tests/test_check: TEST_LIBS = $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
# test_avail reads SCRAM's XML report the same way.
$(BUILD)/tests/test_avail: TEST_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
$(BUILD)/tests/test_avail: TEST_LIBS = $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)

# Tests run from the project root (they read examples/ and tests/data/).
# TEST_JOBS test binaries run at a time; the log keeps their order.
TEST_JOBS ?= 2
test: $(TEST_BIN) $(BUILD)/eddy $(MPI_BIN)
	@EDDY=$(BUILD)/eddy EDDY_MPI=$(MPI_BIN) TEST_JOBS=$(TEST_JOBS) sh tests/run.sh $(TEST_BIN)

# -Wformat-truncation is a warning, not an error, here: at -O1 GCC guesses
# string lengths it cannot see and flags snprintf calls that the -O2 build
# (which keeps -Werror whole) does not.
# eddy-mpi is left out here: OpenMPI's own start-up allocations are never
# freed, so LeakSanitizer would report the library, not eddy.  The MPI tests
# run in `make test`, and eddy's share of eddy-mpi is the same code as eddy.
test-asan:
	$(MAKE) BUILD=build-asan HAVE_MPI= OPT="-O1 -g -Wno-error=format-truncation -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

# valgrind on the real program, over an example that exercises retries,
# timeouts, abandoned work and a fault window: any leak or invalid access
# fails the build.
test-valgrind: eddy
	valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./eddy run --quiet examples/retry-storm.yaml -o /dev/null >/dev/null
	@echo "valgrind: 1 passed, 0 failed"

# The report rendered in headless Chromium: no console errors, its section
# headings, a plot area that is not blank (tests/browser.sh).  Skips with a
# message when Chromium is missing, unless REQUIRE_BROWSER=1 (.ci/run).
test-browser: eddy
	EDDY=./eddy sh tests/browser.sh

check: test test-asan test-valgrind test-browser

bench: eddy
	sh bench/run.sh
	sh bench/loops.sh
	sh bench/avail.sh
	sh bench/sd.sh
	sh bench/sd_loops.sh
	sh bench/sd_graph.sh
	sh bench/backlog.sh

# libFuzzer harnesses, one per input parser (tests/fuzz/, docs/reliability.md):
# clang (libFuzzer ships in libclang-rt-14-dev), ASan and UBSan, in
# build-fuzz/.  Each runs FUZZ_SECONDS from the seeds in tests/fuzz/corpus/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) AR=ar HAVE_MPI= \
	    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=fuzzer,address,undefined" fuzz-bin

fuzz-bin: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(LIB) $(LDLIBS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# The key tables of docs/model.md, generated from the loader's schema tables
# (src/model/schema_model.c); test_schema fails when they disagree.
docs: eddy
	./eddy schema --docs docs/model.md > docs/model.md.tmp && mv -f docs/model.md.tmp docs/model.md

# `make install [PREFIX=/usr/local] [DESTDIR=]`: the binary, and the labs
# where `eddy lab` looks for them beside an installed binary
# (PREFIX/share/eddy/labs).  Files already there are replaced, never deleted.
PREFIX ?= /usr/local
install: eddy
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/eddy/labs
	install -m 755 eddy $(DESTDIR)$(PREFIX)/bin/eddy
	cp -R docs/labs/. $(DESTDIR)$(PREFIX)/share/eddy/labs/

clean:
	rm -rf build build-asan build-fuzz eddy eddy-mpi

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(BUILD)/src/mpi/eddy_mpi.d
