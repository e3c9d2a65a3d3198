TRANSPORT_OBJS := $(B)/obj/transport/frame.o $(B)/obj/transport/unix.o
