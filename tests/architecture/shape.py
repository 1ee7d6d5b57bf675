#!/usr/bin/env python3
"""The shape issue 10 promised, checked on every run:

* no source file under plugin/src or adapters/ is over 600 lines;
* no plugin service gets a std::function hook after construction (no `set_…(std::function…)` setter);
* the engine-specific store code (adapters/store_*, without the .sql migrations) stays under
  half of the 3,598 lines the two engine files had before the one SQL layer.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
failures = []
sources = [p for d in ("plugin/src", "adapters") for p in (root / d).rglob("*")
           if p.suffix in (".cpp", ".h")]
for path in sources:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines > 600:
        failures.append(f"{path.relative_to(root)}: {lines} lines (at most 600)")
    if not str(path.relative_to(root)).startswith("plugin/src"):
        continue  # the promise is about the plugin's services
    for m in re.finditer(r"void\s+set_\w+\s*\(\s*(const\s+)?std::function", text):
        line = text.count("\n", 0, m.start()) + 1
        failures.append(f"{path.relative_to(root)}:{line}: a std::function setter; pass "
                        "collaborators in the constructor")
engine_lines = sum(p.read_text(encoding="utf-8").count("\n")
                   for d in ("adapters/store_sqlite", "adapters/store_postgresql")
                   for p in (root / d).rglob("*") if p.is_file() and p.suffix != ".sql")
if engine_lines * 2 >= 3598:
    failures.append(f"engine-specific store code is {engine_lines} lines (must stay under 1,799)")
for f in failures:
    print("FAIL:", f)
print(f"architecture.shape: {len(sources)} files, engine-specific store code {engine_lines} lines")
sys.exit(1 if failures else 0)
