# Runs the barista CLI once and checks its exit code, and optionally what it
# prints and that its standard output is one valid JSON document. A plain
# CTest test sees only zero or not, and PASS_REGULAR_EXPRESSION ignores the
# exit code altogether; the exit code rule (0, 1, 2) needs both.
#
#   cmake -DBARISTA=path [-DEMULATOR=...] -DEXIT=2 [-DEXPECT=regex] [-DJSON=ON]
#         [-DPYTHON=python3] -P cli_check.cmake -- ARGUMENTS...
#
# EXPECT is matched against stdout and stderr together. JSON=ON parses stdout
# with `PYTHON -m json.tool` when PYTHON is given, else with CMake's own
# JSON parser.
separate_arguments(emulator UNIX_COMMAND "${EMULATOR}")
set(arguments "")
set(after_separator OFF)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_separator)
    list(APPEND arguments "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_separator ON)
  endif()
endforeach()

execute_process(COMMAND ${emulator} ${BARISTA} ${arguments}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("barista ${arguments}\n-- stdout:\n${out}-- stderr:\n${err}-- exit code: ${result}")
if(NOT result STREQUAL "${EXIT}")
  message(FATAL_ERROR "expected exit code ${EXIT}, got ${result}")
endif()
if(DEFINED EXPECT AND NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match: ${EXPECT}")
endif()
if(JSON)
  if(PYTHON)
    # One file per command line, so that tests running in parallel do not
    # share it.
    string(SHA1 name "${arguments}")
    set(file "${CMAKE_CURRENT_BINARY_DIR}/cli_check_${name}.json")
    file(WRITE "${file}" "${out}")
    execute_process(COMMAND ${PYTHON} -m json.tool "${file}" RESULT_VARIABLE parsed OUTPUT_QUIET ERROR_VARIABLE why)
    file(REMOVE "${file}")
    if(NOT parsed EQUAL 0)
      message(FATAL_ERROR "stdout is not valid JSON (${PYTHON} -m json.tool): ${why}")
    endif()
  else()
    string(JSON type ERROR_VARIABLE why TYPE "${out}")
    if(why)
      message(FATAL_ERROR "stdout is not valid JSON (CMake's parser): ${why}")
    endif()
  endif()
endif()
