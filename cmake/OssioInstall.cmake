# Install rules: library, public header, CMake package (ossio::ossio) and a
# relocatable ossio.pc, in Debian's components: lib (the shared library),
# dev (headers, the .so link, CMake and pkg-config files), bin (the ossio
# program and its man page, installed by cli/). CPack builds one .deb each.
include(CMakePackageConfigHelpers)

set(OSSIO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ossio)
set(OSSIO_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS ossio EXPORT ossioTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT lib
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/ossio.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT dev)
install(EXPORT ossioTargets NAMESPACE ossio:: DESTINATION ${OSSIO_CMAKE_DIR} COMPONENT dev)

get_target_property(_ossio_type ossio TYPE)
if(_ossio_type STREQUAL "STATIC_LIBRARY")
  set(OSSIO_STATIC ON)
else()
  set(OSSIO_STATIC OFF)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ossioConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ossioConfig.cmake INSTALL_DESTINATION ${OSSIO_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ossioConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ossioConfig.cmake ${PROJECT_BINARY_DIR}/ossioConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/OssioDeps.cmake DESTINATION ${OSSIO_CMAKE_DIR} COMPONENT dev)

# ossio.pc finds its prefix relative to itself, so the install tree can move.
file(RELATIVE_PATH OSSIO_PC_PREFIX_REL "/root/${OSSIO_PC_DIR}" "/root")
string(REGEX REPLACE "/$" "" OSSIO_PC_PREFIX_REL "${OSSIO_PC_PREFIX_REL}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/ossio.pc.in ${PROJECT_BINARY_DIR}/ossio.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ossio.pc DESTINATION ${OSSIO_PC_DIR} COMPONENT dev)

include(OssioPackage)
