# The store suite on a real PostgreSQL server that the test command starts and stops: the
# CTest fixture postgres_cluster (store.postgres_start → the suite → store.postgres_stop).
# Included by tests/store/CMakeLists.txt, which defines the OBJECT library store_suite.
#
#   ctest -L postgresql        the fixture and the suite
#
# postgres_cluster.sh fails (it does not skip) when the PostgreSQL server is not installed:
# packaging/bootstrap.sh installs it.

set(BOLIGFLYT_PG_CLUSTER_DIR ${CMAKE_CURRENT_BINARY_DIR}/postgres-cluster)

add_executable(store_suite_postgresql
  ${CMAKE_CURRENT_LIST_DIR}/postgres_backend.cpp
  $<TARGET_OBJECTS:store_suite>
)
target_include_directories(store_suite_postgresql PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(store_suite_postgresql PRIVATE
  boligflyt_core PostgreSQL::PostgreSQL GTest::gtest_main GTest::gtest Threads::Threads)
# Where the fixture writes the server's connection string (the environment may override it).
target_compile_definitions(store_suite_postgresql PRIVATE
  BOLIGFLYT_TEST_PG_CONNINFO_FILE="${BOLIGFLYT_PG_CLUSTER_DIR}/conninfo")

add_test(NAME store.postgres_start
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/postgres_cluster.sh start ${BOLIGFLYT_PG_CLUSTER_DIR})
set_tests_properties(store.postgres_start PROPERTIES
  FIXTURES_SETUP postgres_cluster LABELS "store;postgresql" TIMEOUT 180)
add_test(NAME store.postgres_stop
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/postgres_cluster.sh stop ${BOLIGFLYT_PG_CLUSTER_DIR})
set_tests_properties(store.postgres_stop PROPERTIES
  FIXTURES_CLEANUP postgres_cluster LABELS "store;postgresql" TIMEOUT 120)

gtest_discover_tests(store_suite_postgresql
  DISCOVERY_TIMEOUT 60
  TEST_LIST store_suite_postgresql_TESTS
  PROPERTIES
    FIXTURES_REQUIRED postgres_cluster
    ENVIRONMENT "BOLIGFLYT_TEST_PG_CONNINFO_FILE=${BOLIGFLYT_PG_CLUSTER_DIR}/conninfo"
    TIMEOUT 300)
# gtest_discover_tests flattens list-valued properties (LABELS "store;postgresql" would reach
# set_tests_properties as two arguments), so the labels are set from the discovered list by
# a file CTest reads after the discovery's own.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/store_suite_postgresql_labels.cmake
  "if(store_suite_postgresql_TESTS)\n"
  "  set_tests_properties(\${store_suite_postgresql_TESTS} PROPERTIES LABELS \"store;postgresql\")\n"
  "endif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
  ${CMAKE_CURRENT_BINARY_DIR}/store_suite_postgresql_labels.cmake)
