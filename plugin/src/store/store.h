#pragma once
// The store port moved to ports/store/; this header keeps existing includes working.
#include "ports/store/store.h"  // IWYU pragma: export
