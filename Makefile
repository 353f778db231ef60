# la: one build. lib/ becomes build/lib/libla.a, then one program per cmd/
# folder (cmd/layout -> build/bin/la-layout), unit tests from tests/unit/.
#
#   make            build everything (into $(BUILD), default build/)
#   make deps       install the Debian packages the build and tests need
#   make check      deps, build, unit + bats tests, then all again under
#                   ASan+UBSan (in build/san)
#   make demo       print the default layout of each arch
#   make install    PREFIX=/usr/local DESTDIR=...

BUILD   ?= build
PREFIX  ?= /usr/local
SAN     ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
VERSION := 0.1.0
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -DLA_VERSION=\"$(VERSION)\"
CPPFLAGS += -Ilib -MMD -MP
LDLIBS  := -Wl,--as-needed -lfdt -ljansson -lseccomp -lpthread

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  := -O1 -g $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

LIB_SRCS  := $(sort $(wildcard lib/*.c lib/arch/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/lib/libla.a
TOOLS     := $(sort $(notdir $(wildcard cmd/*)))
BINS      := $(TOOLS:%=$(BUILD)/bin/la-%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNITS     := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
MANS      := $(sort $(wildcard man/*.1))

# Debian packages for building and testing (make deps)
DEB_PACKAGES := gcc make libc6-dev libfdt-dev libjansson-dev libseccomp-dev \
	device-tree-compiler bats bats-assert bats-support jq valgrind

.PHONY: all deps check test demo install clean
.SECONDARY:
all: $(LIB) $(BINS) $(UNITS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

define tool_rule
$(BUILD)/bin/la-$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard cmd/$(1)/*.c))) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@tests/deps.sh $(DEB_PACKAGES)

# test: the unit and bats suites against $(BUILD); prints one summary line
test: all
	@tests/run.sh $(BUILD) $(if $(filter 1,$(SAN)),san,plain)

check: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 all >/dev/null
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 test
	@tests/summary.sh $(BUILD)/results-plain $(BUILD)/san/results-san

demo: $(BINS)
	@for a in x86_64 aarch64 riscv64; do \
		echo "== $(BUILD)/bin/la-layout --arch $$a"; \
		$(BUILD)/bin/la-layout --arch $$a || exit 1; echo; \
	done

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
