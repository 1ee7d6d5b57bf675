# cmake -DCLI=<boligflyt> -DSOURCE=<repo> -DWORK=<scratch dir> -P cli_checks.cmake
# The `boligflyt procedure` commands as a script or CI pipeline would use them: exit codes
# and the JSON they print.
cmake_policy(SET CMP0057 NEW)
set(dir ${SOURCE}/procedures/boligflytprosedyre)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(expect_exit code)
  if(NOT rc EQUAL ${code})
    message(FATAL_ERROR "expected exit ${code}, got ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
endfunction()

# 1. The shipped versions validate, together (which also checks the version series).
execute_process(COMMAND ${CLI} procedure validate ${dir}/boligflytprosedyre-1.0.xml
                        ${dir}/boligflytprosedyre-2.0.xml ${dir}/boligflytprosedyre-3.0.xml
                        ${dir}/boligflytprosedyre-3.1.xml ${dir}/boligflytprosedyre-4.0.xml
                        --units ${SOURCE}/procedures/units.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)
foreach(v 3.0 3.1 4.0)
  if(NOT out MATCHES "OK  boligflytprosedyre ${v}")
    message(FATAL_ERROR "validate did not report ${v} as OK: ${out}")
  endif()
endforeach()

# 2. diff 2.0 → 3.0 as JSON names every kind of change the issue lists; exit 1 = differences.
execute_process(COMMAND ${CLI} procedure diff ${dir}/boligflytprosedyre-2.0.xml
                        ${dir}/boligflytprosedyre-3.0.xml --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
string(JSON n LENGTH "${out}" changes)
set(kinds "")
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  string(JSON kind GET "${out}" changes ${i} kind)
  list(APPEND kinds ${kind})
endforeach()
foreach(wanted added removed renamed moved responsible_changed participants_changed
               deadlines_changed text_changed)
  if(NOT wanted IN_LIST kinds)
    message(FATAL_ERROR "diff 2.0→3.0 lacks a '${wanted}' change: ${kinds}")
  endif()
endforeach()

# 3. A version compared with itself: no differences, exit 0.
execute_process(COMMAND ${CLI} procedure diff ${dir}/boligflytprosedyre-3.0.xml
                        ${dir}/boligflytprosedyre-3.0.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)

# 4. A broken copy: every problem with file:line:column, exit 1; JSON says valid=false.
file(READ ${dir}/boligflytprosedyre-3.0.xml xml)
string(REPLACE "<responsibleUnit unit=\"okonomi\"/>" "<responsibleUnit unit=\"kemner\"/>" xml "${xml}")
string(REPLACE "<next step=\"samarbeidsmote-namsmann-inkasso\"" "<next step=\"finnes-ikke\"" xml "${xml}")
file(MAKE_DIRECTORY ${WORK}/boligflytprosedyre)
file(COPY ${SOURCE}/procedures/units.xml DESTINATION ${WORK})
file(WRITE ${WORK}/boligflytprosedyre/broken.xml "${xml}")
execute_process(COMMAND ${CLI} procedure validate ${WORK}/boligflytprosedyre/broken.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
if(NOT out MATCHES "broken.xml:[0-9]+:[0-9]+: .*kemner" OR NOT out MATCHES "unknown-next-step")
  message(FATAL_ERROR "validate did not locate both problems:\n${out}")
endif()
execute_process(COMMAND ${CLI} procedure validate ${WORK}/boligflytprosedyre/broken.xml --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
string(JSON valid GET "${out}" valid)
if(valid)
  message(FATAL_ERROR "JSON says valid for a broken file: ${out}")
endif()

# 5. A DOCTYPE with an external entity is refused without reading the file it names.
file(WRITE ${WORK}/boligflytprosedyre/xxe.xml
     "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
     "<procedure xmlns=\"urn:no:boligflyt:prosedyre:1\">&x;</procedure>")
execute_process(COMMAND ${CLI} procedure validate ${WORK}/boligflytprosedyre/xxe.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
if(NOT out MATCHES "doctype-forbidden")
  message(FATAL_ERROR "DOCTYPE not refused: ${out}")
endif()

# 6. render: HTML, SVG and BPMN of 3.0 to stdout.
foreach(to html svg bpmn)
  execute_process(COMMAND ${CLI} procedure render ${dir}/boligflytprosedyre-3.0.xml --to ${to}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  expect_exit(0)
  if(to STREQUAL "html" AND NOT out MATCHES "<html lang=\"nb\"")
    message(FATAL_ERROR "render --to html gave no Norwegian HTML document")
  elseif(to STREQUAL "svg" AND NOT out MATCHES "<svg")
    message(FATAL_ERROR "render --to svg gave no SVG")
  elseif(to STREQUAL "bpmn" AND NOT out MATCHES "bpmn:definitions")
    message(FATAL_ERROR "render --to bpmn gave no BPMN")
  endif()
endforeach()
execute_process(COMMAND ${CLI} procedure render ${WORK}/boligflytprosedyre/broken.xml --to html
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
execute_process(COMMAND ${CLI} procedure render ${dir}/boligflytprosedyre-3.0.xml --to pdf
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(2)

# 7. Usage errors: exit 2.
execute_process(COMMAND ${CLI} procedure diff ${dir}/boligflytprosedyre-3.0.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(2)
execute_process(COMMAND ${CLI} procedure validate --format yaml x.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(2)
file(REMOVE_RECURSE ${WORK})
message(STATUS "procedure CLI checks passed")

# 8. A draft saved outside the repository. The CLI finds the unit registry beside the file,
#    else the installed one (in the build tree: share/boligflyt/procedures beside bin/), and
#    the unknown unit is reported. A copy of the CLI with no registry anywhere cannot check
#    the units: it says so and does not report success; with --units it finds the unit.
file(MAKE_DIRECTORY ${WORK}/utkast/mappe ${WORK}/alene/bin)
file(READ ${dir}/boligflytprosedyre-3.0.xml xml)
string(REPLACE "<responsibleUnit unit=\"okonomi\"/>" "<responsibleUnit unit=\"kemner\"/>" xml "${xml}")
file(WRITE ${WORK}/utkast/mappe/utkast.xml "${xml}")
execute_process(COMMAND ${CLI} procedure validate ${WORK}/utkast/mappe/utkast.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
if(NOT out MATCHES "kemner")
  message(FATAL_ERROR "validate did not use the installed unit registry:\n${out}")
endif()
file(COPY ${CLI} DESTINATION ${WORK}/alene/bin)
get_filename_component(cli_name ${CLI} NAME)
set(alone ${WORK}/alene/bin/${cli_name})
execute_process(COMMAND ${alone} procedure validate ${WORK}/utkast/mappe/utkast.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
if(NOT out MATCHES "fant ikke enhetsregisteret" OR out MATCHES "OK  ")
  message(FATAL_ERROR "validate without a unit registry did not say the check could not run:\n${out}")
endif()
execute_process(COMMAND ${alone} procedure validate ${WORK}/utkast/mappe/utkast.xml --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
string(JSON code GET "${out}" problems 0 code)
if(NOT code STREQUAL "unit-registry-missing")
  message(FATAL_ERROR "JSON does not name the missing registry: ${out}")
endif()
execute_process(COMMAND ${alone} procedure validate ${WORK}/utkast/mappe/utkast.xml
                        --units ${SOURCE}/procedures/units.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
if(NOT out MATCHES "kemner")
  message(FATAL_ERROR "validate --units did not find the unknown unit:\n${out}")
endif()
# The unchanged version, with --units, validates with the XSD compiled into the CLI alone.
file(COPY ${dir}/boligflytprosedyre-3.0.xml DESTINATION ${WORK}/utkast/mappe)
execute_process(COMMAND ${alone} procedure validate ${WORK}/utkast/mappe/boligflytprosedyre-3.0.xml
                        --units ${SOURCE}/procedures/units.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)
