#!/usr/bin/env python3
"""Checks the documentation's relative links; exits 1 listing every broken one.

Checked files: README.md, ARCHITECTURE.md and the book's chapters (docs/src/*.md).
  - a relative link must name an existing file or directory;
  - a `#anchor` (alone or after a .md file) must be a heading of that file, slugged as
    GitHub and mdBook slug headings (they agree on the headings used here);
  - a link in the book must stay inside docs/src: mdBook copies only that folder, so a
    link out of it breaks in the built book (include the file, or name it in a code span);
  - every chapter file is listed in docs/src/SUMMARY.md (mdBook builds only those);
  - a file the book includes with {{#include}} exists and holds no relative link (its
    links would resolve against the including chapter).
Links inside fenced code blocks and inline code spans are not links and are skipped.

Usage: python3 .ci/check_links.py   (from anywhere; paths are relative to the repository)
"""

import os
import re
import sys
import unicodedata

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BOOK_SRC = os.path.join(ROOT, "docs", "src")

INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
INCLUDE = re.compile(r"\{\{#include\s+([^}\s:]+)(?::[^}]*)?\s*\}\}")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text):
    """(line number, line) of the lines outside fenced code blocks, code spans blanked."""
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if fence is None and marker:
            fence = marker.group(1)
            continue
        if fence is not None:
            closing = stripped.rstrip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                fence = None
            continue
        yield number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def heading_text(line):
    text = line.lstrip("#").strip()
    text = re.sub(r"\s+#+\s*$", "", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link: its text
    return text.replace("`", "").replace("*", "")


def slugs(text):
    """The heading anchors of a Markdown text, under GitHub's and mdBook's rules."""
    found = set()
    seen = {}
    for _, line in prose_lines(text):
        if not re.match(r"^#{1,6}\s", line):
            continue
        title = heading_text(line)
        # GitHub: lowercase, drop all but letters, digits, spaces, '-' and '_'; spaces to '-'.
        github = "".join(
            c for c in title.lower()
            if c in " -_" or unicodedata.category(c)[0] in "LN"
        ).replace(" ", "-")
        # mdBook: alphanumerics, '_' and '-' kept (ASCII-lowercased), whitespace to '-'.
        mdbook = "".join(
            c.lower() if (c.isalnum() or c in "_-") else "-"
            for c in title
            if c.isalnum() or c in "_-" or c.isspace()
        )
        for slug in {github, mdbook}:
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(text):
    for number, line in prose_lines(text):
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1)
        match = REFERENCE_DEF.match(line)
        if match:
            yield number, match.group(1)


def rel(path):
    return os.path.relpath(path, ROOT)


def main():
    errors = []
    files = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "ARCHITECTURE.md")]
    chapters = sorted(
        os.path.join(BOOK_SRC, name) for name in os.listdir(BOOK_SRC) if name.endswith(".md")
    )
    files += chapters
    cache = {}

    def read(path):
        if path not in cache:
            with open(path, encoding="utf-8") as f:
                cache[path] = f.read()
        return cache[path]

    for path in files:
        text = read(path)
        in_book = path.startswith(BOOK_SRC + os.sep)
        for number, target in links(text):
            if not target or SCHEME.match(target) or target.startswith("//"):
                continue
            where = f"{rel(path)}:{number}: {target}"
            file_part, _, anchor = target.partition("#")
            destination = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(destination):
                errors.append(f"{where}: no such file {rel(destination)}")
                continue
            if in_book and not destination.startswith(BOOK_SRC + os.sep):
                errors.append(f"{where}: leaves docs/src, so it breaks in the built book")
            if anchor and destination.endswith(".md") and os.path.isfile(destination):
                if anchor not in slugs(read(destination)):
                    errors.append(f"{where}: no heading #{anchor} in {rel(destination)}")
        if in_book:
            for number, line in prose_lines(text):
                for match in INCLUDE.finditer(line):
                    included = os.path.normpath(os.path.join(os.path.dirname(path), match.group(1)))
                    where = f"{rel(path)}:{number}: {{{{#include {match.group(1)}}}}}"
                    if not os.path.isfile(included):
                        errors.append(f"{where}: no such file")
                        continue
                    for inner, target in links(read(included)):
                        if target and not SCHEME.match(target) and not target.startswith("//"):
                            errors.append(
                                f"{rel(included)}:{inner}: {target}: a relative link in a file "
                                f"the book includes ({rel(path)}) resolves against the chapter"
                            )

    summary = read(os.path.join(BOOK_SRC, "SUMMARY.md"))
    listed = {os.path.normpath(os.path.join(BOOK_SRC, t)) for _, t in links(summary)}
    for chapter in chapters:
        if os.path.basename(chapter) != "SUMMARY.md" and chapter not in listed:
            errors.append(f"{rel(chapter)}: not listed in docs/src/SUMMARY.md (mdBook skips it)")

    for error in errors:
        print(error, file=sys.stderr)
    checked = sum(1 for path in files for _ in links(read(path)))
    print(f"links: {len(files)} files, {checked} links, {len(errors)} broken")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
