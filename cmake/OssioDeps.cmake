# Finds ossio's dependencies and defines one imported target for each.
# Included by the build and, for a static ossio, by the installed ossioConfig.cmake.
# Sets OSSIO_DEP_TARGETS to the list of targets to link.
include(CMakeFindDependencyMacro)
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)

pkg_check_modules(OSSIO_CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(OSSIO_NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2)
pkg_check_modules(OSSIO_EXPAT REQUIRED IMPORTED_TARGET expat)
pkg_check_modules(OSSIO_ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(OSSIO_YAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(OSSIO_ZLIB REQUIRED IMPORTED_TARGET zlib)

# libev and http-parser ship no .pc file on Debian.
if(NOT TARGET OssioDep::ev)
  find_path(OSSIO_EV_INCLUDE_DIR ev.h REQUIRED)
  find_library(OSSIO_EV_LIBRARY ev REQUIRED)
  add_library(OssioDep::ev UNKNOWN IMPORTED)
  set_target_properties(OssioDep::ev PROPERTIES
    IMPORTED_LOCATION "${OSSIO_EV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OSSIO_EV_INCLUDE_DIR}")
endif()
if(NOT TARGET OssioDep::http_parser)
  find_path(OSSIO_HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
  find_library(OSSIO_HTTP_PARSER_LIBRARY http_parser REQUIRED)
  add_library(OssioDep::http_parser UNKNOWN IMPORTED)
  set_target_properties(OssioDep::http_parser PROPERTIES
    IMPORTED_LOCATION "${OSSIO_HTTP_PARSER_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OSSIO_HTTP_PARSER_INCLUDE_DIR}")
endif()

set(OSSIO_DEP_TARGETS
  OssioDep::ev PkgConfig::OSSIO_CARES PkgConfig::OSSIO_NGHTTP2 OpenSSL::SSL OpenSSL::Crypto
  PkgConfig::OSSIO_EXPAT PkgConfig::OSSIO_ISAL PkgConfig::OSSIO_YAML PkgConfig::OSSIO_ZLIB OssioDep::http_parser
  Threads::Threads m)
# For ossio.pc: modules with a .pc file, and plain libraries for the rest.
set(OSSIO_PC_REQUIRES_PRIVATE "libcares libnghttp2 openssl >= 3.0.0 expat libisal yaml-0.1 zlib")
set(OSSIO_PC_LIBS_PRIVATE "-lev -lhttp_parser -pthread -lm")
