# Warnings for barista's own targets (not for code that merely includes our
# headers).
function(barista_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
      -Wcast-align -Woverloaded-virtual -Wdouble-promotion
      -Wformat=2 -Wimplicit-fallthrough)
    if(BARISTA_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
