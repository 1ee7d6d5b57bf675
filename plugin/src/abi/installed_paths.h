#pragma once
// Where the plugin's own shipped files are, found from the .so itself, so that a host that
// passes nothing but data_dir gets the whole product.

#include <string>

namespace boligflyt::abi {

/// The shipped procedures (a folder with units.xml and one folder per procedure) beside this
/// library: the installed layout (<libdir>/boligflyt/ → <datadir>/boligflyt/procedures) or
/// the build tree's (bin/ → share/boligflyt/procedures). Empty when neither exists.
std::string installed_procedures_dir();

}  // namespace boligflyt::abi
