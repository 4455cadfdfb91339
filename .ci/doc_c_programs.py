#!/usr/bin/env python3
"""Writes every complete C program shown in the documentation to OUTDIR, one file each,
and prints their paths: the ```c blocks with a `main` in README.md and docs/src/*.md.
.ci/run compiles them as it compiles ffi/examples and runs them (each exits 0 on success).

Usage: python3 .ci/doc_c_programs.py OUTDIR
"""

import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BLOCK = re.compile(r"^```c\n(.*?)^```$", re.S | re.M)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    book = os.path.join(ROOT, "docs", "src")
    sources = ["README.md"] + sorted(
        os.path.join("docs", "src", n) for n in os.listdir(book) if n.endswith(".md")
    )
    for source in sources:
        with open(os.path.join(ROOT, source), encoding="utf-8") as f:
            text = f.read()
        programs = [b for b in BLOCK.findall(text) if re.search(r"\bint\s+main\s*\(", b)]
        for n, program in enumerate(programs, 1):
            stem = os.path.splitext(source.replace(os.sep, "_"))[0]
            path = os.path.join(out, f"{stem}_{n}.c")
            with open(path, "w", encoding="utf-8") as f:
                f.write(program)
            print(path)


if __name__ == "__main__":
    main()
