# Fails if any C source or header under include/ src/ tests/ fuzz/ examples/
# bench/ cli/ mpi/ differs from what clang-format (with the repository's .clang-format) makes of it.
file(GLOB_RECURSE files
  ${ROOT}/include/*.h ${ROOT}/src/*.c ${ROOT}/src/*.h ${ROOT}/tests/*.c ${ROOT}/tests/*.h
  ${ROOT}/fuzz/*.c ${ROOT}/fuzz/*.h ${ROOT}/examples/*.c ${ROOT}/bench/*.c
  ${ROOT}/cli/*.c ${ROOT}/cli/*.h ${ROOT}/mpi/*.c ${ROOT}/mpi/*.h)
list(FILTER files EXCLUDE REGEX "/node_modules/|/build")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: these files need formatting (run clang-format -i on them):\n${err}")
endif()
list(LENGTH files n)
message(STATUS "${n} files formatted as .clang-format says")
