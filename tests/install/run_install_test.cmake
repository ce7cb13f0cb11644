# cmake -P script behind the "install" test (see CMakeLists.txt for the -D
# inputs): install, build the consumer two ways, run both, check the version;
# run the installed ossio program from the prefix with no library path set
# (it finds its library through $ORIGIN); build the Debian packages with
# CPack, unpack them, run ossio from them and build the consumer against them.
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

function(check_consumer exe)
  run(${exe})
  if(NOT run_output MATCHES "ossio ${EXPECTED_VERSION}\n")
    message(FATAL_ERROR "${exe} printed '${run_output}', expected 'ossio ${EXPECTED_VERSION}'")
  endif()
  message(STATUS "${exe}: ${run_output}")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

if(CONFIG)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG})
else()
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
endif()
foreach(f include/ossio.h ${LIBDIR}/pkgconfig/ossio.pc ${LIBDIR}/cmake/ossio/ossioConfig.cmake
          ${LIBDIR}/cmake/ossio/ossioConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB internal_headers ${prefix}/include/*/*.h ${prefix}/include/util)
if(internal_headers)
  message(FATAL_ERROR "internal headers installed: ${internal_headers}")
endif()

# 1. CMake package.
run(${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${WORK_DIR}/cmake
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER}
    "-DCMAKE_C_FLAGS=${C_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${C_FLAGS}"
    -DOSSIO_EXPECTED_VERSION=${EXPECTED_VERSION})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/cmake)
check_consumer(${WORK_DIR}/cmake/consumer)

# 2. pkg-config.
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
set(static_flag "")
if(LIB_TYPE STREQUAL "STATIC_LIBRARY")
  set(static_flag --static)
endif()
run(${PKG_CONFIG} --cflags --libs ${static_flag} ossio)
separate_arguments(pc_flags UNIX_COMMAND "${run_output}")
run(${PKG_CONFIG} --variable=libdir ossio)
string(STRIP "${run_output}" pc_libdir)
run(${PKG_CONFIG} --modversion ossio)
string(STRIP "${run_output}" pc_version)
if(NOT pc_version STREQUAL EXPECTED_VERSION)
  message(FATAL_ERROR "ossio.pc says version ${pc_version}, expected ${EXPECTED_VERSION}")
endif()
separate_arguments(c_flags UNIX_COMMAND "${C_FLAGS}")
run(${C_COMPILER} ${c_flags} -std=c11 -Wall -Werror -DOSSIO_EXPECTED_VERSION="${EXPECTED_VERSION}"
    ${CONSUMER_SRC}/consumer.c -o ${WORK_DIR}/consumer_pc ${pc_flags} -Wl,-rpath,${pc_libdir})
check_consumer(${WORK_DIR}/consumer_pc)

# 3. The installed program starts from any prefix, without ldconfig or
# LD_LIBRARY_PATH: its RUNPATH is $ORIGIN/../lib.
function(check_program exe)
  run(${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${exe} version)
  if(NOT run_output MATCHES "^ossio ${EXPECTED_VERSION}\n")
    message(FATAL_ERROR "${exe} version printed '${run_output}'")
  endif()
  message(STATUS "${exe} version: ok")
endfunction()
if(HAVE_CLI AND LIB_TYPE STREQUAL "SHARED_LIBRARY")
  check_program(${prefix}/bin/ossio)
endif()

# 4. Debian packages: library, -dev and program, unpacked (not installed:
# the test must not touch the system) and used from the unpacked tree.
if(DPKG_DEB AND HAVE_CLI AND LIB_TYPE STREQUAL "SHARED_LIBRARY")
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" abi "${EXPECTED_VERSION}")
  run(${CPACK} -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${WORK_DIR}/deb)
  set(root ${WORK_DIR}/deb-root)
  foreach(pkg libossio${abi} libossio-dev ossio)
    file(GLOB deb ${WORK_DIR}/deb/${pkg}_${EXPECTED_VERSION}_*.deb)
    if(NOT deb)
      message(FATAL_ERROR "no ${pkg} package in ${WORK_DIR}/deb")
    endif()
    run(${DPKG_DEB} -f ${deb} Package Depends)
    set(fields_${pkg} "${run_output}")
    run(${DPKG_DEB} -x ${deb} ${root})
  endforeach()
  if(NOT fields_libossio-dev MATCHES "Depends: libossio${abi} \\(= ${EXPECTED_VERSION}\\)")
    message(FATAL_ERROR "libossio-dev does not depend on libossio${abi}: ${fields_libossio-dev}")
  endif()
  if(NOT fields_ossio MATCHES "libossio${abi}")
    message(FATAL_ERROR "ossio does not depend on libossio${abi}: ${fields_ossio}")
  endif()
  foreach(f usr/bin/ossio usr/share/man/man1/ossio.1 usr/include/ossio.h usr/${LIBDIR}/libossio.so
            usr/${LIBDIR}/pkgconfig/ossio.pc usr/${LIBDIR}/cmake/ossio/ossioConfig.cmake)
    if(NOT EXISTS ${root}/${f})
      message(FATAL_ERROR "not in the packages: ${f}")
    endif()
  endforeach()
  check_program(${root}/usr/bin/ossio)
  run(${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${WORK_DIR}/deb-consumer
      -DCMAKE_PREFIX_PATH=${root}/usr -DCMAKE_C_COMPILER=${C_COMPILER}
      "-DCMAKE_C_FLAGS=${C_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${C_FLAGS}"
      -DOSSIO_EXPECTED_VERSION=${EXPECTED_VERSION})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/deb-consumer)
  check_consumer(${WORK_DIR}/deb-consumer/consumer)
endif()
