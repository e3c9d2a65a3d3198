PERMS_OBJS := $(B)/obj/perms/perms.o
