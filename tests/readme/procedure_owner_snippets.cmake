# cmake -DCLI=<boligflyt> -DSOURCE=<repo> -DWORK=<scratch dir> -P procedure_owner_snippets.cmake
# The README's XML snippets for procedure owners (handover, parallel track, escalation) are
# real: read from README.md's section "For procedure owners", put into
# procedure_owner_template.xml and validated with `boligflyt procedure validate`. A second run
# with the handover sent to an unknown party shows that the linter really reads them.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

file(READ ${SOURCE}/README.md readme)
string(FIND "${readme}" "## For procedure owners" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md has no section for procedure owners")
endif()
string(SUBSTRING "${readme}" ${start} -1 section)
string(FIND "${section}" "\n## " end)  # the next top-level section
string(SUBSTRING "${section}" 0 ${end} section)
string(REGEX MATCHALL "```xml\n[^`]*```" blocks "${section}")
list(LENGTH blocks n)
if(n LESS 3)
  message(FATAL_ERROR "expected the README's XML snippets for procedure owners, found ${n}")
endif()
set(parties "")
set(steps "")
foreach(block IN LISTS blocks)
  string(REGEX REPLACE "^```xml\n" "" block "${block}")
  string(REGEX REPLACE "```$" "" block "${block}")
  if(block MATCHES "^<externalParties>")
    string(APPEND parties "${block}")
  else()
    string(APPEND steps "${block}")
  endif()
endforeach()
foreach(element "<handover " "<parallel " "<escalation " "join=\"" "<party ")
  if(NOT "${parties}${steps}" MATCHES "${element}")
    message(FATAL_ERROR "the README's snippets do not show ${element}")
  endif()
endforeach()

file(READ ${CMAKE_CURRENT_LIST_DIR}/procedure_owner_template.xml template)
string(REPLACE "<!-- PARTIES -->" "${parties}" xml "${template}")
string(REPLACE "<!-- STEPS -->" "${steps}" xml "${xml}")
file(WRITE ${WORK}/readme.xml "${xml}")
execute_process(COMMAND ${CLI} procedure validate ${WORK}/readme.xml
                        --units ${SOURCE}/procedures/units.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "OK  readmeprosedyre 1.0 \\(5 trinn\\)")
  message(FATAL_ERROR "the README's snippets do not validate (exit ${rc}):\n${out}${err}")
endif()

string(REPLACE "to=\"soker\"" "to=\"sokeren\"" broken "${xml}")
file(WRITE ${WORK}/broken.xml "${broken}")
execute_process(COMMAND ${CLI} procedure validate ${WORK}/broken.xml
                        --units ${SOURCE}/procedures/units.xml
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT out MATCHES "handover-unknown-to")
  message(FATAL_ERROR "a handover to an unknown party in the snippets was not caught:\n${out}")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "the README's procedure owner snippets validate")
