# install(EXPORT ...) with a package config and version file, plus
# pkg-config files: find_package(barista) gives barista::barista.
include(CMakePackageConfigHelpers)

install(TARGETS barista_shared barista_static
  EXPORT baristaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/barista.h ${PROJECT_SOURCE_DIR}/include/barista.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT baristaTargets
  NAMESPACE barista::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/barista)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/baristaConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/baristaConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/barista)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/baristaConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/baristaConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/baristaConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/barista)
file(RELATIVE_PATH BARISTA_PC_RELATIVE_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
# Two pkg-config files: `-lbarista` finds the shared library whenever it is
# installed beside the static one, even with --static (whose private flags
# only come after it), so a static barista has a file of its own.
foreach(pc barista barista-static)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
