# Install rules: library, public header, CMake package (ossio::ossio) and a
# relocatable ossio.pc.
include(CMakePackageConfigHelpers)

set(OSSIO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ossio)
set(OSSIO_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS ossio EXPORT ossioTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/ossio.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ossioTargets NAMESPACE ossio:: DESTINATION ${OSSIO_CMAKE_DIR})

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
  ${PROJECT_SOURCE_DIR}/cmake/OssioDeps.cmake DESTINATION ${OSSIO_CMAKE_DIR})

# ossio.pc finds its prefix relative to itself, so the install tree can move.
file(RELATIVE_PATH OSSIO_PC_PREFIX_REL "/root/${OSSIO_PC_DIR}" "/root")
string(REGEX REPLACE "/$" "" OSSIO_PC_PREFIX_REL "${OSSIO_PC_PREFIX_REL}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/ossio.pc.in ${PROJECT_BINARY_DIR}/ossio.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ossio.pc DESTINATION ${OSSIO_PC_DIR})
