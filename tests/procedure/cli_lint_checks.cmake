# cmake -DCLI=<boligflyt> -DSOURCE=<repo> -DWORK=<scratch dir> -P cli_lint_checks.cmake
# `boligflyt procedure validate` as a procedure owner meets it (issue 13, parts 4 and 5):
# one wrong `next` gives the root cause and a summary instead of a cascade, --format json
# still lists everything, and a citation of a source not in force is a warning, not an error.
cmake_minimum_required(VERSION 3.25)
set(dir ${SOURCE}/procedures/boligflytprosedyre)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/boligflytprosedyre)
file(COPY ${SOURCE}/procedures/units.xml DESTINATION ${WORK})

function(expect_exit code)
  if(NOT rc EQUAL ${code})
    message(FATAL_ERROR "expected exit ${code}, got ${rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
endfunction()

# 1. A copy of 3.0 with one wrong next (the first step's only way on).
file(READ ${dir}/boligflytprosedyre-3.0.xml xml)
string(REPLACE "<next step=\"soknad-mottak\"/>" "<next step=\"soknad-motak\"/>" xml "${xml}")
set(broken ${WORK}/boligflytprosedyre/en-feil.xml)
file(WRITE ${broken} "${xml}")
execute_process(COMMAND ${CLI} procedure validate ${broken}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
string(REGEX MATCHALL "[^\n]*\n" lines "${out}")
list(LENGTH lines n)
if(n GREATER 6)
  message(FATAL_ERROR "one wrong next still gives ${n} lines:\n${out}")
endif()
if(NOT out MATCHES "en-feil.xml:[0-9]+:[0-9]+: Trinn «soknad-veiledning» peker videre til «soknad-motak»"
   OR NOT out MATCHES "47 trinn blir dermed uoppnåelige: soknad-mottak, "
   OR NOT out MATCHES "1 feil funnet \\(49 følgefeil er slått sammen; --format json viser alle\\)")
  message(FATAL_ERROR "validate did not give the root cause and a summary:\n${out}")
endif()
if(out MATCHES "kan ikke nås")
  message(FATAL_ERROR "the cascade is still printed:\n${out}")
endif()

execute_process(COMMAND ${CLI} procedure validate ${broken} --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(1)
string(JSON total LENGTH "${out}" problems)
if(NOT total EQUAL 50)
  message(FATAL_ERROR "JSON should list all 50 diagnostics, lists ${total}: ${out}")
endif()
set(consequential 0)
set(unreachable 0)
math(EXPR last "${total} - 1")
foreach(i RANGE ${last})
  string(JSON flag GET "${out}" problems ${i} consequential)
  string(JSON code GET "${out}" problems ${i} code)
  if(flag)
    math(EXPR consequential "${consequential} + 1")
    string(JSON cause GET "${out}" problems ${i} cause code)
    if(NOT cause STREQUAL "unknown-next-step")
      message(FATAL_ERROR "problem ${i} (${code}) has cause ${cause}")
    endif()
  endif()
  if(code STREQUAL "unreachable-step")
    math(EXPR unreachable "${unreachable} + 1")
  endif()
endforeach()
if(NOT consequential EQUAL 49 OR NOT unreachable EQUAL 47)
  message(FATAL_ERROR "${consequential} consequential, ${unreachable} unreachable in JSON")
endif()

# 2. The citation check: forvaltningsloven repealed the day before the effective date.
file(READ ${SOURCE}/tests/procedure/data/modell-1.2.xml xml)
string(REPLACE "kind=\"act\" validFrom=\"1967-02-10\">"
               "kind=\"act\" validFrom=\"1967-02-10\" validTo=\"2026-12-31\">" xml "${xml}")
set(cites ${WORK}/boligflytprosedyre/opphevet.xml)
file(WRITE ${cites} "${xml}")
execute_process(COMMAND ${CLI} procedure validate ${cites}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)
if(NOT out MATCHES "opphevet.xml:[0-9]+:[0-9]+: Advarsel: trinn «klage» viser til Forvaltningsloven § 29, men Forvaltningsloven gjaldt bare til 2026-12-31"
   OR NOT out MATCHES "source-not-in-force" OR NOT out MATCHES "OK  modellprosedyre 1.0")
  message(FATAL_ERROR "validate did not warn about the repealed source:\n${out}")
endif()
execute_process(COMMAND ${CLI} procedure validate ${cites} --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)
string(JSON valid GET "${out}" valid)
string(JSON warnings LENGTH "${out}" warnings)
string(JSON severity GET "${out}" warnings 0 severity)
if(NOT valid OR NOT warnings EQUAL 2 OR NOT severity STREQUAL "warning")
  message(FATAL_ERROR "JSON: valid=${valid}, ${warnings} warnings (${severity}): ${out}")
endif()

# 3. The published versions cite nothing out of force: no warnings.
execute_process(COMMAND ${CLI} procedure validate ${dir}/boligflytprosedyre-3.1.xml --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
expect_exit(0)
string(JSON warnings LENGTH "${out}" warnings)
if(NOT warnings EQUAL 0)
  message(FATAL_ERROR "3.1 has citation warnings: ${out}")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "procedure validate: cascades summarised, citations warned")
