# CTest tests sanitize.*: the project built again in a folder of its own with a sanitizer
# (BOLIGFLYT_SANITIZE), then its own test suite run there, limited to the labels and names
# given. Any sanitizer report fails the test it happens in (halt_on_error), and so this one.
#
# cmake -DSOURCE_DIR=<checkout> -DWORK_DIR=<folder> -DSANITIZE=address,undefined
#       [-DLABELS=regex] [-DEXCLUDE_LABELS=regex] [-DTESTS=regex] [-DJOBS=2]
#       [-DGENERATOR=<gen>] -P run_sanitized.cmake

foreach(var SOURCE_DIR WORK_DIR SANITIZE)
  if(NOT ${var})
    message(FATAL_ERROR "sanitize: ${var} is not set")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 2)
endif()

set(build_dir ${WORK_DIR}/build)
set(generator_args)
if(GENERATOR)
  set(generator_args -G ${GENERATOR})
endif()
if(NOT EXISTS ${build_dir}/CMakeCache.txt)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${build_dir} ${generator_args}
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON -DBOLIGFLYT_SANITIZE=${SANITIZE}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${build_dir})  # configure again next time, not from a half cache
    message(FATAL_ERROR "sanitize (${SANITIZE}): FAIL: configuring the build failed")
  endif()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${build_dir} -j ${JOBS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sanitize (${SANITIZE}): FAIL: the build failed")
endif()

set(select)
if(LABELS)
  list(APPEND select -L ${LABELS})
endif()
if(EXCLUDE_LABELS)
  list(APPEND select -LE ${EXCLUDE_LABELS})
endif()
if(TESTS)
  list(APPEND select -R ${TESTS})
endif()
# Every sanitizer stops the process at its first report, with a stack; leaks are reported at
# exit. Child processes (the reference host the end-to-end tests start) inherit these.
set(ENV{ASAN_OPTIONS} "halt_on_error=1:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0")
set(ENV{UBSAN_OPTIONS} "halt_on_error=1:print_stacktrace=1")
set(ENV{TSAN_OPTIONS} "halt_on_error=1:second_deadlock_stack=1")
execute_process(
  COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${build_dir} --output-on-failure -j ${JOBS}
          --timeout 900 ${select}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "sanitize (${SANITIZE}): FAIL: tests failed under the sanitizer (above)")
endif()
message(STATUS "sanitize (${SANITIZE}): every selected test passed")
