# SPDX-License-Identifier: MIT
#
# The Debian packages (make deb): built once into $(DEB_DIR), then
# tests/packaging/*.sh check them: lintian has no error, no file is also
# a file of Xen's packages, the unpacked programs run, Debian's init
# script starts our daemon when /etc/default/xen names it, and dpkg
# installs and removes them beside Xen's packages in a scratch root.
.PHONY: check-packaging
check-packaging: $(DEB_STAMP) $(BIN)
	@sh tests/run-integration.sh $(B) tests/packaging
$(BIN):
	@mkdir -p $@
CHECKS += check-packaging
