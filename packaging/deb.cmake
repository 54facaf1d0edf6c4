# CPack: `cpack -G DEB` in a build tree makes brook_<version>_amd64.deb (the binary and its
# systemd unit, not enabled) and brook-dev_<version>_amd64.deb (libraries, headers, CMake and
# pkg-config files). `apt install ./brook_*.deb ./brook-dev_*.deb` installs both with their
# dependencies from Debian 12.
set(CPACK_PACKAGE_NAME brook)
set(CPACK_PACKAGE_VENDOR "brook")
set(CPACK_PACKAGE_CONTACT "brook maintainers <brook@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "single-binary event broker: a partitioned log on RocksDB, brook's and Kafka's protocols")
set(CPACK_PACKAGE_INSTALL_DIRECTORY brook)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME brook)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)  # Depends from the binary's shared libraries.
set(CPACK_DEBIAN_DEV_PACKAGE_NAME brook-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE amd64)
# What find_package(brook) and the pkg-config files need: the headers and libraries of brook's
# dependencies.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "librocksdb-dev, libboost1.81-dev, libabsl-dev, libfmt-dev, libzstd-dev, zlib1g-dev, liblz4-dev, libsnappy-dev, prometheus-cpp-dev, pkg-config")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
  "brook event broker: the brook binary (server, CLI, benchmarks) and a systemd unit")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "brook's C++ client and EmbeddedBroker: static libraries, headers, CMake package, pkg-config")
include(CPack)
