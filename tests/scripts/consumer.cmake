# Host projects against an installed barista (run by ctest, see
# tests/CMakeLists.txt): installs the build into a scratch prefix; builds
# tests/consumer (C and C++, find_package: shared and static),
# tests/consumer/c_only (a C-only project linking the static library) and
# the kiosk example with pkg-config (barista: shared, barista-static:
# static); checks with readelf which of them need libbarista.so, and runs
# them on a model.
#
# -DBUILD_DIR= -DWORK_DIR= -DSOURCE_DIR=tests/consumer -DKIOSK_SOURCE=
# -DMODEL= -DGENERATOR= -DC_COMPILER= -DREADELF= -DSOVERSION= [-DTOOLCHAIN=]
# [-DEMULATOR=]
separate_arguments(emulator UNIX_COMMAND "${EMULATOR}")
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  cmake_parse_arguments(RUN "" "EXPECT;OUTPUT" "COMMAND;ENV" ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${RUN_ENV} ${RUN_COMMAND}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(JOIN " " shown ${RUN_COMMAND})
  message(STATUS "$ ${shown}\n${out}${err}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${shown}")
  endif()
  if(RUN_EXPECT AND NOT out MATCHES "${RUN_EXPECT}")
    message(FATAL_ERROR "the output of ${shown} does not match '${RUN_EXPECT}'")
  endif()
  if(RUN_OUTPUT)
    set(${RUN_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# Whether `binary` records libbarista.so.SOVERSION as NEEDED: `expected` is
# YES for a host of the shared library, NO for one of the static library.
function(expect_needs_shared binary expected)
  execute_process(COMMAND ${READELF} -d ${binary} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${READELF} -d ${binary} failed: ${err}")
  endif()
  string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*\\[[a-zA-Z0-9._+-]+\\]" needed "${out}")
  string(REGEX REPLACE "[^;]*\\[([a-zA-Z0-9._+-]+)\\]" "\\1" needed "${needed}")
  message(STATUS "${binary} needs: ${needed}")
  if(needed MATCHES "libbarista\\.so")
    set(needs_shared YES)
  else()
    set(needs_shared NO)
  endif()
  if(NOT needs_shared STREQUAL expected)
    message(FATAL_ERROR "${binary}: needs libbarista.so is ${needs_shared}, expected ${expected}")
  endif()
  if(needs_shared AND NOT needed MATCHES "(^|;)libbarista\\.so\\.${SOVERSION}(;|$)")
    message(FATAL_ERROR "${binary} needs ${needed}, not libbarista.so.${SOVERSION}")
  endif()
endfunction()

# What the kiosk prints when it starts from an empty overlay.
set(first_visits "overlay [^\n]*: 0 learned weights for 0 customers\nwalk-in at 08:00 sees: [^\n]*takes matcha latte \\([0-9.]+\\)\n[^$]*saved: [1-9][0-9]* learned weights for 1 customers")

# 1. Install, as a packager would.
run(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# 2. find_package(barista): the C kiosk (shared and static) and the C++
#    consumer built without exceptions or RTTI.
set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DKIOSK_SOURCE=${KIOSK_SOURCE})
if(TOOLCHAIN)
  list(APPEND configure -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
endif()
run(COMMAND ${configure})
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build)

set(overlay ${WORK_DIR}/kiosk.overlay)
expect_needs_shared(${WORK_DIR}/build/kiosk YES)
expect_needs_shared(${WORK_DIR}/build/kiosk_static NO)
expect_needs_shared(${WORK_DIR}/build/consumer_cpp YES)
run(COMMAND ${emulator} ${WORK_DIR}/build/kiosk ${MODEL} ${overlay} EXPECT "${first_visits}")
# The next run (the static build) starts from what the first one saved.
run(COMMAND ${emulator} ${WORK_DIR}/build/kiosk_static ${MODEL} ${overlay} walk-in "matcha latte" 9
    EXPECT "overlay [^\n]*: [1-9][0-9]* learned weights for 1 customers\nwalk-in at 09:00 sees: ")
run(COMMAND ${emulator} ${WORK_DIR}/build/consumer_cpp ${MODEL}
    EXPECT "alice's top 3:[^\n]*\n[^\n]* after two purchases\nunknown item: BARISTA_STATUS_NOT_FOUND")

# 3. A project in C alone links barista::barista_static.
set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/c_only -B ${WORK_DIR}/build-c -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DKIOSK_SOURCE=${KIOSK_SOURCE})
if(TOOLCHAIN)
  list(APPEND configure -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
endif()
run(COMMAND ${configure})
run(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build-c)
expect_needs_shared(${WORK_DIR}/build-c/kiosk_c_static NO)
run(COMMAND ${emulator} ${WORK_DIR}/build-c/kiosk_c_static ${MODEL} ${WORK_DIR}/c_only.overlay EXPECT "${first_visits}")

# 4. pkg-config: the kiosk compiled and linked by hand.
file(GLOB_RECURSE pc_files ${prefix}/*/barista.pc)
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
run(COMMAND pkg-config --cflags --libs barista ENV PKG_CONFIG_PATH=${pc_dir} OUTPUT flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(COMMAND ${C_COMPILER} -std=c99 -Wall -Wextra -pedantic -Werror ${KIOSK_SOURCE} ${flags} -o ${WORK_DIR}/kiosk_pc)
get_filename_component(lib_dir ${pc_dir} DIRECTORY)
expect_needs_shared(${WORK_DIR}/kiosk_pc YES)
run(COMMAND ${emulator} ${WORK_DIR}/kiosk_pc ${MODEL} ${overlay} regular "cappuccino" 15
    ENV LD_LIBRARY_PATH=${lib_dir}
    EXPECT "for 1 customers\nregular at 15:00 sees: [^\n]*\nsaved: [1-9][0-9]* learned weights for 2 customers")

# The static library through barista-static.pc: nothing of barista is left
# to load at run time (no LD_LIBRARY_PATH).
run(COMMAND pkg-config --static --cflags --libs barista-static ENV PKG_CONFIG_PATH=${pc_dir} OUTPUT flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(COMMAND ${C_COMPILER} -std=c99 -Wall -Wextra -pedantic -Werror ${KIOSK_SOURCE} ${flags}
            -o ${WORK_DIR}/kiosk_pc_static)
expect_needs_shared(${WORK_DIR}/kiosk_pc_static NO)
run(COMMAND ${emulator} ${WORK_DIR}/kiosk_pc_static ${MODEL} ${WORK_DIR}/pc_static.overlay EXPECT "${first_visits}")
