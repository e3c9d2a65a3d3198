# util/: small modules every daemon of the project shares (level 1:
# they include only xen/include and their own directory).
INC_util := $(INC_xen) -Iutil
UTIL_OBJS := $(B)/obj/util/log.o
