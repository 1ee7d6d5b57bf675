# CTest test fuzz.libfuzzer: build the fuzz target with clang + libFuzzer + ASan/UBSan in a
# project of its own (libfuzzer/CMakeLists.txt), then fuzz for a bounded time from a fresh copy
# of the corpus. Any crash, leak, timeout or out-of-memory fails the test and leaves the input
# in WORK_DIR/artifacts/.
#
# cmake -DSOURCE_DIR=<checkout> -DWORK_DIR=<build>/tests/fuzz/libfuzzer [-DGENERATOR=<gen>]
#       [-DSECONDS=60] [-DJOBS=2] -P run_libfuzzer.cmake

foreach(var SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "fuzz.libfuzzer: ${var} is not set")
  endif()
endforeach()
if(NOT SECONDS)
  set(SECONDS 60)
endif()
if(NOT JOBS)
  set(JOBS 2)
endif()
set(packages "clang-14 libclang-rt-14-dev")

string(TIMESTAMP started "%s")
function(elapsed out)
  string(TIMESTAMP now "%s")
  math(EXPR seconds "${now} - ${started}")
  set(${out} ${seconds} PARENT_SCOPE)
endfunction()

# clang and its libFuzzer/sanitizer runtimes: the compiler alone links nothing with
# -fsanitize=fuzzer, and the error it gives then does not name the package.
find_program(CLANGXX NAMES clang++-14 clang++)
find_program(CLANG NAMES clang-14 clang)
if(NOT CLANGXX)
  message(FATAL_ERROR "fuzz.libfuzzer: FAIL: clang++ not found. "
                      "Debian: apt-get install ${packages} (packaging/bootstrap.sh test does).")
endif()
execute_process(COMMAND ${CLANGXX} --print-runtime-dir OUTPUT_VARIABLE runtime_dir
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
file(GLOB fuzzer_runtime "${runtime_dir}/libclang_rt.fuzzer-*.a")
file(GLOB asan_runtime "${runtime_dir}/libclang_rt.asan-*.a")
if(NOT rc EQUAL 0 OR NOT fuzzer_runtime OR NOT asan_runtime)
  message(FATAL_ERROR "fuzz.libfuzzer: FAIL: ${CLANGXX} has no libFuzzer/ASan runtime in "
                      "'${runtime_dir}'. Debian: apt-get install ${packages} "
                      "(packaging/bootstrap.sh test does).")
endif()

# Build (incrementally: the build folder stays in the build tree between runs).
set(build_dir ${WORK_DIR}/build)
set(generator_args)
if(GENERATOR)
  set(generator_args -G ${GENERATOR})
endif()
if(NOT EXISTS ${build_dir}/CMakeCache.txt)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/fuzz/libfuzzer -B ${build_dir}
            ${generator_args} -DCMAKE_CXX_COMPILER=${CLANGXX} -DCMAKE_BUILD_TYPE=
            -DBOLIGFLYT_SOURCE_DIR=${SOURCE_DIR}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${build_dir})  # configure again next time, not from a half cache
    message(FATAL_ERROR "fuzz.libfuzzer: FAIL: configuring the clang build failed")
  endif()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${build_dir} -j ${JOBS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz.libfuzzer: FAIL: building the clang fuzz target failed")
endif()

# Fuzzes one target for SECONDS from a fresh copy of its seeds (libFuzzer adds what it finds to
# the folder it is given, and the checkout must not change under a test). Any crash, leak,
# timeout or out-of-memory fails the test and leaves the input in WORK_DIR/<name>/artifacts/.
function(fuzz name binary)
  cmake_parse_arguments(F "" "DICT" "SEEDS" ${ARGN})
  set(corpus ${WORK_DIR}/${name}/corpus)
  set(artifacts ${WORK_DIR}/${name}/artifacts)
  file(REMOVE_RECURSE ${corpus} ${artifacts})
  file(MAKE_DIRECTORY ${corpus} ${artifacts})
  file(GLOB seeds ${F_SEEDS})
  file(COPY ${seeds} DESTINATION ${corpus})
  set(dict_args)
  if(F_DICT)
    set(dict_args -dict=${F_DICT})
  endif()
  # -timeout: one input taking this long is a hang. -rss_limit_mb also caps single
  # allocations. No -max_len: libFuzzer then takes the largest seed as the limit.
  set(log ${WORK_DIR}/${name}.log)
  file(MAKE_DIRECTORY ${WORK_DIR}/${name}/tmp)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env
            ASAN_OPTIONS=detect_leaks=1
            UBSAN_OPTIONS=print_stacktrace=1
            TMPDIR=${WORK_DIR}/${name}/tmp
            ${binary}
            -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048 ${dict_args}
            -artifact_prefix=${artifacts}/ -print_final_stats=1
            ${corpus}
    RESULT_VARIABLE rc
    OUTPUT_FILE ${log} ERROR_FILE ${log})
  # Only lines without '[': CMake lists do not split inside brackets.
  file(STRINGS ${log} lines REGEX "^(INFO: Seed:|INFO: seed corpus:|#[0-9]+[ \t]+DONE|stat::)")
  string(JOIN "\n" summary ${lines})
  file(GLOB found ${artifacts}/*)
  if(NOT rc EQUAL 0 OR found)
    # The end of the log has the sanitizer report and the stack.
    file(READ ${log} text)
    string(LENGTH "${text}" length)
    if(length GREATER 12000)
      math(EXPR from "${length} - 12000")
      string(SUBSTRING "${text}" ${from} -1 text)
    endif()
    message("${text}")
    string(JOIN "\n  " found_list ${found})
    message(FATAL_ERROR
      "fuzz.libfuzzer: ${name}: FAIL (exit ${rc}); full log: ${log}\n"
      "Inputs that failed:\n  ${found_list}\n"
      "Reproduce: ${binary} <input>\n"
      "Once fixed, copy the input into the target's seed folder so that fuzz.replay keeps "
      "checking it.")
  endif()
  message("${name}:\n${summary}")
endfunction()

fuzz(procedure_loader ${build_dir}/procedure_loader_fuzzer
     SEEDS ${SOURCE_DIR}/tests/fuzz/corpus/* ${SOURCE_DIR}/procedures/units.xml
           ${SOURCE_DIR}/procedures/*/*.xml
     DICT ${SOURCE_DIR}/tests/fuzz/procedure_loader.dict)

# The targets that need the whole plugin: the main project built with clang and the
# sanitizers in a folder of its own (tests/fuzz/targets/CMakeLists.txt).
set(plugin_build ${WORK_DIR}/plugin-build)
if(NOT EXISTS ${plugin_build}/CMakeCache.txt)
  # -fno-sanitize=function: clang 14's function-type check writes prologue data that its
  # assembler cannot place for Boost.Asio's templates in separate sections ("Cannot represent a
  # difference across sections", seen in the WebDAV client); the other UBSan checks stay on.
  set(flags "-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=all -fno-omit-frame-pointer")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${plugin_build} ${generator_args}
            -DCMAKE_CXX_COMPILER=${CLANGXX} -DCMAKE_C_COMPILER=${CLANG}
            -DCMAKE_BUILD_TYPE= -DBUILD_TESTING=OFF -DBOLIGFLYT_WERROR=OFF
            -DBOLIGFLYT_LIBFUZZER=ON "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_C_FLAGS=${flags}"
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    file(REMOVE_RECURSE ${plugin_build})
    message(FATAL_ERROR "fuzz.libfuzzer: FAIL: configuring the clang build of the plugin failed")
  endif()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${plugin_build} -j ${JOBS}
                        --target abi_request_fuzzer receipt_fuzzer personal_data_fuzzer
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz.libfuzzer: FAIL: building the clang fuzz targets of the plugin failed "
                      "(build again: cmake --build ${plugin_build})")
endif()
elapsed(build_seconds)

foreach(name abi_request receipt personal_data)
  fuzz(${name} ${plugin_build}/bin/${name}_fuzzer SEEDS ${SOURCE_DIR}/tests/fuzz/seeds/${name}/*)
endforeach()
elapsed(total_seconds)
message("fuzz.libfuzzer: OK: builds ${build_seconds} s, fuzzing ${SECONDS} s per target, "
        "total ${total_seconds} s; logs in ${WORK_DIR}")
