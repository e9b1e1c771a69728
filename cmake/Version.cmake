# The build's identity (issue 12, "--version"): PROJECT_VERSION from project() and the git commit
# the tree was configured from ("unknown" outside a git checkout or without git), written at
# configure time into ${PROJECT_BINARY_DIR}/version/refbridge_build_info.h (read only by
# sdk/src/version.cc, so a new commit rebuilds one file). CMake re-runs the configuration when the
# checkout's HEAD or the branch it names moves, so the commit stays current.
set(REFBRIDGE_GIT_COMMIT "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _commit
                  RESULT_VARIABLE _status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_status EQUAL 0 AND _commit MATCHES "^[0-9a-f]+$")
    set(REFBRIDGE_GIT_COMMIT "${_commit}")
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --absolute-git-dir
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _git_dir
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --symbolic-full-name HEAD
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _ref
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --git-common-dir
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} OUTPUT_VARIABLE _common_dir
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(_common_dir AND NOT IS_ABSOLUTE "${_common_dir}")
      get_filename_component(_common_dir "${_common_dir}" ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
    endif()
    foreach(_watched "${_git_dir}/HEAD" "${_git_dir}/${_ref}" "${_common_dir}/${_ref}" "${_common_dir}/packed-refs")
      if(EXISTS "${_watched}" AND NOT IS_DIRECTORY "${_watched}")
        set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_watched}")
      endif()
    endforeach()
  endif()
endif()
set(REFBRIDGE_VERSION "${PROJECT_VERSION}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/refbridge_build_info.h.in
               ${PROJECT_BINARY_DIR}/version/refbridge_build_info.h @ONLY)
