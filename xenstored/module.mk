XENSTORED_SRCS := $(wildcard xenstored/*.c)
XENSTORED_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(XENSTORED_SRCS))
# Everything but main(), for unit tests that link the daemon's modules.
XENSTORED_LIB_OBJS := $(filter-out $(B)/obj/xenstored/main.o,$(XENSTORED_OBJS))

$(BIN)/xenstored: $(XENSTORED_OBJS) $(TRANSPORT_OBJS) $(PERMS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

ALL += $(BIN)/xenstored
