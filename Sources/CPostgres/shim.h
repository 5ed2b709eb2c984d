// libpq's client API. Debian installs it in /usr/include/postgresql, which the package finds
// through libpq's pkg-config file (Package.swift: pkgConfig "libpq").
#include <libpq-fe.h>
