# Test registration helpers shared by every tests/ subdirectory (also
# tests/endpoint/), so sanitizer settings and labels are applied uniformly.
#
# ossio_add_test(<name>
#                COMMAND <program> [<arg>...]
#                [LABELS <label>...]
#                [ENVIRONMENT <VAR=value>...]
#                [WORKING_DIRECTORY <dir>]
#                [TIMEOUT <seconds>])
#   Registers a ctest test. <program> may be a target name (as in add_test).
#   In sanitized builds (CMAKE_BUILD_TYPE=asan or OSSIO_FUZZ=ON) ASAN_OPTIONS
#   and UBSAN_OPTIONS are added to the test's environment, before any
#   ENVIRONMENT entries given here. TIMEOUT defaults to 120 seconds.
#
# ossio_add_unit_test(<name> SOURCES <file>... [LABELS <label>...])
#   Builds a cmocka test executable <name> from SOURCES, linked to the
#   internal static library (so hidden internals are reachable), and
#   registers it with ossio_add_test (label "unit" plus LABELS).

pkg_check_modules(OSSIO_CMOCKA REQUIRED IMPORTED_TARGET cmocka)

set(OSSIO_TEST_ASAN_OPTIONS "detect_leaks=1:abort_on_error=1:strict_string_checks=1")
set(OSSIO_TEST_UBSAN_OPTIONS "print_stacktrace=1:halt_on_error=1")

function(ossio_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY;TIMEOUT"
                        "COMMAND;LABELS;ENVIRONMENT")
  if(NOT arg_COMMAND)
    message(FATAL_ERROR "ossio_add_test(${name}): COMMAND is required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ossio_add_test(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  set(wd "${CMAKE_CURRENT_BINARY_DIR}")
  if(arg_WORKING_DIRECTORY)
    set(wd "${arg_WORKING_DIRECTORY}")
  endif()
  add_test(NAME ${name} COMMAND ${arg_COMMAND} WORKING_DIRECTORY "${wd}")
  set(env "")
  if(OSSIO_SANITIZE)
    list(APPEND env "ASAN_OPTIONS=${OSSIO_TEST_ASAN_OPTIONS}"
                    "UBSAN_OPTIONS=${OSSIO_TEST_UBSAN_OPTIONS}")
  endif()
  list(APPEND env ${arg_ENVIRONMENT})
  if(env)
    set_property(TEST ${name} PROPERTY ENVIRONMENT "${env}")
  endif()
  if(arg_LABELS)
    set_property(TEST ${name} PROPERTY LABELS ${arg_LABELS})
  endif()
  if(arg_TIMEOUT)
    set_property(TEST ${name} PROPERTY TIMEOUT ${arg_TIMEOUT})
  else()
    set_property(TEST ${name} PROPERTY TIMEOUT 120)
  endif()
endfunction()

function(ossio_add_unit_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LABELS")
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ossio_internal PkgConfig::OSSIO_CMOCKA ossio_warnings)
  ossio_add_test(${name} COMMAND ${name} LABELS unit ${arg_LABELS})
endfunction()
