#!/usr/bin/env python3
"""A domain area cannot include the API or an adapter (issue 10, plugin/CMakeLists.txt).

For every source file of the domain areas in compile_commands.json, checks that its include
paths hold no include root of api/, the instance (composition root) or an adapter, and then
compiles, with exactly that file's flags, a probe that includes "api/http.h" (and one that
includes an adapter header): the compiler must not find them. A control probe including
the area's own header must compile with the same flags, so a probe cannot fail for an
unrelated reason.

Usage: include_scope.py <build dir>
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile

DOMAIN_AREAS = {  # area -> a header of its own for the control probe
    "util": "util/time.h",
    "outbox": "outbox/wakeup.h",
    "procedure": "procedure/iso_duration.h",
    "render": "render/markup.h",
    "deviation": "deviation/lifecycle.h",
    "archive": "archive/message_name.h",
    "library": "library/publication.h",
}
# The api and instance roots, and every adapter's (adapters/<name>/…/include-root).
FORBIDDEN_ROOTS = ("include-roots/api", "include-roots/instance", "/adapters/")
FORBIDDEN_HEADERS = (
    "api/http.h",
    "archive_file_drop/file_drop.h",
    "host_abi_table/host_directory.h",
    "smtp/smtp_mailer.h",
    "webdav/webdav_library.h",
    "core/instance.h",
)


def probe(flags, header):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.cpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f'#include "{header}"\nint main() {{ return 0; }}\n')
        done = subprocess.run(flags + ["-fsyntax-only", path], capture_output=True, text=True,
                              timeout=120, check=False)
        return done.returncode, done.stderr


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    failures = []
    checked = set()
    for entry in commands:
        source = entry["file"]
        area = next((a for a in DOMAIN_AREAS if f"/plugin/src/{a}/" in source), None)
        if area is None:
            continue
        args = shlex.split(entry["command"])
        includes = [a[2:] for a in args if a.startswith("-I")]
        for inc in includes:
            if any(bad in inc for bad in FORBIDDEN_ROOTS) or inc.endswith("/include-root"):
                failures.append(f"{source}: include path {inc} reaches beyond the domain")
        if area in checked:
            continue
        checked.add(area)
        # The compiler and every flag but the output and the source.
        flags = []
        skip = False
        for a in args:
            if skip:
                skip = False
                continue
            if a in ("-o", "-c"):
                skip = True
                continue
            flags.append(a)
        code, err = probe(flags, DOMAIN_AREAS[area])
        if code != 0:
            failures.append(f"{area}: control probe {DOMAIN_AREAS[area]} does not compile:\n{err}")
            continue
        for header in FORBIDDEN_HEADERS:
            code, err = probe(flags, header)
            if code == 0 or "No such file" not in err:
                failures.append(f"{area}: {header} is reachable (exit {code}): {err[:300]}")
    missing = set(DOMAIN_AREAS) - checked
    if missing:
        failures.append(f"no compile command for areas {sorted(missing)}")
    for f in failures:
        print("FAIL:", f)
    print(f"checked {len(checked)} areas, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
