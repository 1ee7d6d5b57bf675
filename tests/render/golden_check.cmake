# cmake -DCLI=<boligflyt> -DGOLDEN_TOOL=<boligflyt-render-golden> -DSOURCE=<repo>
#       -DWORK=<scratch dir> [-DWRITE_GOLDEN=ON] -P golden_check.cmake
#
# Published versions are history (issue 13): 1.0, 2.0, 3.0 and 3.1 must render exactly as they
# did when format 1.2 came in (commit 0516df3, which generated tests/render/golden/). Every
# artefact a published version is rendered into is compared byte for byte: the HTML document,
# the swimlane SVG and the BPMN (`boligflyt procedure render`), the comparison view of
# consecutive versions, and `boligflyt procedure diff` as text and JSON. A structural check
# beside it: each output has one element per <step> of the source.
#
# One intended change since: the diff 2.0 -> 3.0 (text, JSON, comparison page) now also lists
# the legal source 3.0 added ("Ny rettskilde: Boligsosialloven"), because the diff learnt the
# legal basis with format 1.2. Every single-version rendering is still as at 0516df3.
#
# WRITE_GOLDEN=ON rewrites the goldens; do that only when a change to old output is intended
# and say so in the commit.
cmake_minimum_required(VERSION 3.25)
set(dir ${SOURCE}/procedures/boligflytprosedyre)
set(golden ${SOURCE}/tests/render/golden)
set(versions 1.0 2.0 3.0 3.1)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run expected_rc outfile)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_FILE ${outfile} ERROR_VARIABLE err
                  WORKING_DIRECTORY ${SOURCE})
  if(NOT rc EQUAL ${expected_rc})
    message(FATAL_ERROR "${ARGN}: exit ${rc}, expected ${expected_rc}\n${err}")
  endif()
endfunction()

function(count_matches out text regex)
  string(REGEX MATCHALL "${regex}" hits "${text}")
  list(LENGTH hits n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()

set(artefacts "")
foreach(v ${versions})
  # Relative paths: the outputs must not depend on where the checkout lives.
  set(xml procedures/boligflytprosedyre/boligflytprosedyre-${v}.xml)
  foreach(to html svg bpmn)
    run(0 ${WORK}/${v}.${to} ${CLI} procedure render ${xml} --to ${to})
    list(APPEND artefacts ${v}.${to})
  endforeach()

  file(READ ${SOURCE}/${xml} source_text)
  count_matches(steps "${source_text}" "<step ")
  file(READ ${WORK}/${v}.html html)
  count_matches(articles "${html}" "<article class=\"step ")
  file(READ ${WORK}/${v}.bpmn bpmn)
  count_matches(tasks "${bpmn}" "<bpmn:userTask ")
  file(READ ${WORK}/${v}.svg svg)
  string(REGEX MATCHALL "id=\"step-[^\"]+\"" boxes "${svg}")
  list(REMOVE_DUPLICATES boxes)
  list(LENGTH boxes boxes)
  if(steps EQUAL 0 OR NOT articles EQUAL steps OR NOT tasks EQUAL steps
     OR NOT boxes EQUAL steps)
    message(FATAL_ERROR "${v}: ${steps} steps in the source, but ${articles} in the HTML, "
                        "${tasks} BPMN tasks and ${boxes} boxes in the SVG")
  endif()
endforeach()

foreach(pair "1.0;2.0" "2.0;3.0" "3.0;3.1")
  list(GET pair 0 from)
  list(GET pair 1 to)
  foreach(format text json)
    set(name diff-${from}-${to}.${format})
    run(1 ${WORK}/${name} ${CLI} procedure diff
        procedures/boligflytprosedyre/boligflytprosedyre-${from}.xml
        procedures/boligflytprosedyre/boligflytprosedyre-${to}.xml --format ${format})
    list(APPEND artefacts ${name})
  endforeach()
  list(APPEND artefacts diff-${from}-${to}.html)
endforeach()
run(0 ${WORK}/golden-tool.log ${GOLDEN_TOOL} --source-dir ${SOURCE} --out ${WORK})

if(WRITE_GOLDEN)
  file(REMOVE_RECURSE ${golden})
  file(MAKE_DIRECTORY ${golden})
  foreach(name ${artefacts})
    file(COPY_FILE ${WORK}/${name} ${golden}/${name})
  endforeach()
  message(STATUS "wrote ${golden}")
  return()
endif()

set(changed "")
foreach(name ${artefacts})
  if(NOT EXISTS ${golden}/${name})
    list(APPEND changed "${name} (no golden)")
    continue()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${golden}/${name} ${WORK}/${name}
                  RESULT_VARIABLE differs)
  if(differs)
    list(APPEND changed ${name})
  endif()
endforeach()
if(changed)
  list(JOIN changed "\n  " changed)
  message(FATAL_ERROR "published versions render differently than they did at 0516df3:\n  "
                      "${changed}\nnew output is in ${WORK}; compare with diff -u")
endif()
list(LENGTH artefacts n)
message(STATUS "${n} artefacts identical to tests/render/golden")
