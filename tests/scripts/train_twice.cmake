# Trains the same config twice with the same seed and SOURCE_DATE_EPOCH and
# checks that the two model files are byte-identical.
# EMULATOR: how to run the binary (qemu for a cross build), else empty.
set(ENV{SOURCE_DATE_EPOCH} 1700000000)
separate_arguments(emulator UNIX_COMMAND "${EMULATOR}")
foreach(run a b)
  execute_process(COMMAND ${emulator} ${BARISTA} train ${CONFIG} --out ${OUT}-${run}.barista --epochs 2 --quiet
                  RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "barista train failed (${result})")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}-a.barista ${OUT}-b.barista RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "two trainings with the same seed wrote different files")
endif()
message(STATUS "identical: ${OUT}-a.barista ${OUT}-b.barista")
