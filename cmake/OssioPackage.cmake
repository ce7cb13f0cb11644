# Debian packages with CPack (cpack -G DEB in the build directory), split as
# Debian does: libossio<major>.<minor> (the shared library), libossio-dev
# (headers, the .so link, CMake and pkg-config files) and ossio (the program
# and its man page). docs/install.md says how to build and install them.
set(CPACK_PACKAGE_NAME ossio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "ossio")
set(CPACK_PACKAGE_CONTACT "ossio developers <ossio-dev@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib dev bin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)

set(_ossio_lib_pkg libossio${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(CPACK_DEBIAN_LIB_PACKAGE_NAME ${_ossio_lib_pkg})
set(CPACK_DEBIAN_LIB_PACKAGE_SHLIBDEPS ON) # libev, c-ares, nghttp2, OpenSSL, ... from dpkg-shlibdeps
set(CPACK_COMPONENT_LIB_DESCRIPTION
  "ossio: parallel transfers to Aliyun OSS and S3 (shared library)\n One libev loop multiplexes ranged GETs and multipart PUTs over HTTP/2 and\n HTTP/1.1.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libossio-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${_ossio_lib_pkg} (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "ossio: parallel transfers to Aliyun OSS and S3 (development files)\n The public header, the CMake package (ossio::ossio) and ossio.pc.")

set(CPACK_DEBIAN_BIN_PACKAGE_NAME ossio)
set(CPACK_DEBIAN_BIN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_BIN_PACKAGE_DEPENDS "${_ossio_lib_pkg} (= ${PROJECT_VERSION}), libev4")
if(TARGET ossio_mpi) # built with MPI: ossio-mpi is in the package too (docs/mpi.md)
  string(APPEND CPACK_DEBIAN_BIN_PACKAGE_DEPENDS ", libopenmpi3, libevent-core-2.1-7")
endif()
set(CPACK_COMPONENT_BIN_DESCRIPTION
  "ossio: parallel transfers to Aliyun OSS and S3 (command-line program)\n ls, stat, cat, cp, rm, splits, count and bench for oss:// and s3:// URIs.")

include(CPack)
