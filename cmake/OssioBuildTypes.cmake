# Extra build type "asan": AddressSanitizer + UndefinedBehaviorSanitizer,
# optimised lightly so stack traces stay readable.
#
# The flags go in through generator expressions, not CMAKE_C_FLAGS_ASAN:
# project() has already created that cache entry empty, so setting it here
# would silently do nothing.
set(OSSIO_ASAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                     -fno-omit-frame-pointer -O1 -g)
add_compile_options("$<$<CONFIG:asan>:${OSSIO_ASAN_FLAGS}>")
add_link_options("$<$<CONFIG:asan>:${OSSIO_ASAN_FLAGS}>")
if(NOT CMAKE_CONFIGURATION_TYPES)
  set_property(CACHE CMAKE_BUILD_TYPE PROPERTY STRINGS Debug Release RelWithDebInfo MinSizeRel asan)
endif()
