# A host project against an installed barista (run by ctest, see
# tests/CMakeLists.txt): installs the build into a scratch prefix, builds
# tests/consumer with find_package(barista) and the kiosk example with
# pkg-config, and runs them on a model.
#
# -DBUILD_DIR= -DWORK_DIR= -DSOURCE_DIR=tests/consumer -DKIOSK_SOURCE=
# -DMODEL= -DGENERATOR= -DC_COMPILER= [-DTOOLCHAIN=] [-DEMULATOR=]
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
run(COMMAND ${emulator} ${WORK_DIR}/build/kiosk ${MODEL} ${overlay}
    EXPECT "overlay [^\n]*: 0 learned weights for 0 customers\nwalk-in at 08:00 sees: [^\n]*takes matcha latte \\([0-9.]+\\)\n[^$]*saved: [1-9][0-9]* learned weights for 1 customers")
# The next run (the static build) starts from what the first one saved.
run(COMMAND ${emulator} ${WORK_DIR}/build/kiosk_static ${MODEL} ${overlay} walk-in "matcha latte" 9
    EXPECT "overlay [^\n]*: [1-9][0-9]* learned weights for 1 customers\nwalk-in at 09:00 sees: ")
run(COMMAND ${emulator} ${WORK_DIR}/build/consumer_cpp ${MODEL}
    EXPECT "alice's top 3:[^\n]*\n[^\n]* after two purchases\nunknown item: BARISTA_STATUS_NOT_FOUND")

# 3. pkg-config: the kiosk compiled and linked by hand.
file(GLOB_RECURSE pc_files ${prefix}/*/barista.pc)
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
run(COMMAND pkg-config --cflags --libs barista ENV PKG_CONFIG_PATH=${pc_dir} OUTPUT flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(COMMAND ${C_COMPILER} -std=c99 -Wall -Wextra -pedantic -Werror ${KIOSK_SOURCE} ${flags} -o ${WORK_DIR}/kiosk_pc)
get_filename_component(lib_dir ${pc_dir} DIRECTORY)
run(COMMAND ${emulator} ${WORK_DIR}/kiosk_pc ${MODEL} ${overlay} regular "cappuccino" 15
    ENV LD_LIBRARY_PATH=${lib_dir}
    EXPECT "for 1 customers\nregular at 15:00 sees: [^\n]*\nsaved: [1-9][0-9]* learned weights for 2 customers")
