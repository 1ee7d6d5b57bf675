# Turns schemas/procedure.xsd into a C++ source, so that the plugin validates procedures
# without finding a file at run time (a host may pass nothing but data_dir).
# Run as: cmake -DINPUT=<procedure.xsd> -DOUTPUT=<file.cpp> -P embed_schema.cmake
cmake_minimum_required(VERSION 3.25)
file(READ "${INPUT}" _hex HEX)
string(LENGTH "${_hex}" _hex_length)
math(EXPR _size "${_hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
set(_body "// Generated from schemas/procedure.xsd by plugin/src/procedure/embed_schema.cmake.\n")
string(APPEND _body "#include \"procedure/embedded_schema.h\"\n\nnamespace boligflyt::procedure {\n")
string(APPEND _body "namespace {\nconstexpr unsigned char kXsd[] = {${_bytes}0x00};\n}  // namespace\n\n")
string(APPEND _body "std::string_view embedded_procedure_xsd() {\n")
string(APPEND _body "  return {reinterpret_cast<const char*>(kXsd), ${_size}};\n}\n\n")
string(APPEND _body "}  // namespace boligflyt::procedure\n")
file(WRITE "${OUTPUT}.tmp" "${_body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
