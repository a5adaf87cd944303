# packaging.cmake - what makes capplan a package, included by CMakeLists.txt
# once the capplan target exists:
#   1. the commit 'capplan --version' names;
#   2. the generators of the man pages (man/) and the shell completions
#      (completions/), built from the CLI's own command tables;
#   3. install rules (GNUInstallDirs) and CPack's Debian package.

# 1. The commit, read when CMake configures; "unknown" outside a git
# checkout (a source tarball).  -DCAPPLAN_COMMIT=... sets it by hand.  The
# build reconfigures when HEAD moves, so the binary names the commit it
# was built from.
if(NOT DEFINED CAPPLAN_COMMIT OR CAPPLAN_COMMIT STREQUAL "")
  set(capplan_commit "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/.git")
    execute_process(
      COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
      WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
      OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_QUIET
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0 AND out MATCHES "^[0-9a-f]+$")
      set(capplan_commit "${out}")
      # Reconfigure when HEAD or the branch it names moves.
      execute_process(
        COMMAND ${GIT_EXECUTABLE} rev-parse --git-path HEAD
        WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
        OUTPUT_VARIABLE head_file ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      execute_process(
        COMMAND ${GIT_EXECUTABLE} symbolic-ref -q HEAD
        WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
        OUTPUT_VARIABLE ref ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      set(watch "${head_file}")
      if(ref)
        execute_process(
          COMMAND ${GIT_EXECUTABLE} rev-parse --git-path ${ref}
          WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
          OUTPUT_VARIABLE ref_file ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
        list(APPEND watch "${ref_file}")
      endif()
      foreach(f IN LISTS watch)
        if(NOT IS_ABSOLUTE "${f}")
          set(f "${CMAKE_CURRENT_SOURCE_DIR}/${f}")
        endif()
        if(EXISTS "${f}")
          set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${f}")
        endif()
      endforeach()
    endif()
  endif()
else()
  set(capplan_commit "${CAPPLAN_COMMIT}")
endif()
target_compile_definitions(capplan PRIVATE CAPPLAN_COMMIT="${capplan_commit}")

# 2. Generators: the CLI's sources without main(), and a tool each.
# 'man-update' and 'completions-update' rewrite the committed files;
# tests check them (tests/CMakeLists.txt).
get_target_property(capplan_cli_sources capplan SOURCES)
foreach(tool IN ITEMS gen_man gen_completions)
  add_executable(${tool} tools/${tool}.c ${capplan_cli_sources})
  target_compile_definitions(${tool} PRIVATE CAPPLAN_NO_MAIN)
  target_include_directories(${tool} PRIVATE ${CAPPLAN_SRC_DIRS})
  target_link_libraries(${tool} PRIVATE capplan_core PkgConfig::YAML
                        PkgConfig::CJSON m)
  capplan_warnings(${tool})
endforeach()
add_custom_target(man-update
  COMMAND gen_man ${CMAKE_CURRENT_SOURCE_DIR}/man
  COMMENT "Writing man/capplan.1 and man/capplan-spec.5")
add_custom_target(completions-update
  COMMAND gen_completions ${CMAKE_CURRENT_SOURCE_DIR}/completions
  COMMENT "Writing completions/ for bash, zsh and fish")

# 3. Install: the binary, the man pages, the completions where each shell
# looks for a package's, the JSON schemas and the README.
include(GNUInstallDirs)
install(TARGETS capplan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES man/capplan.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES man/capplan-spec.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES completions/capplan.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME capplan)
install(FILES completions/_capplan
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES completions/capplan.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
file(GLOB capplan_schemas CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/docs/*.schema.json)
install(FILES ${capplan_schemas} DESTINATION ${CMAKE_INSTALL_DATADIR}/capplan)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package: 'cpack -G DEB' in the build directory.  Depends is
# computed by dpkg-shlibdeps from the shared libraries the binary links
# (libyaml, libcjson, libc), not written by hand.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "capplan")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "capplan")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "capacity planning for ML and web serving systems")
set(CPACK_PACKAGE_DESCRIPTION
    "capplan turns a YAML description of a serving system into servers,
GPUs, cost, latency and availability, checks them against budgets and
SLOs, compares plans in CI and draws them (DOT, Mermaid, SVG, HTML).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "capplan developers <capplan@capplan.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
include(CPack)
