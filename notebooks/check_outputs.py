#!/usr/bin/python3
"""Checks executed notebooks for failures that nbconvert lets through.

    /usr/bin/python3 notebooks/check_outputs.py EXECUTED.ipynb...

A notebook fails the check when
  * a cell has an error output (nbconvert normally stops on these itself);
  * a code cell was not executed (no execution_count);
  * a stderr stream holds a line "exit status N" with N != 0: that is how GoNB reports a
    failing `!` or `!*` shell line, and the kernel does not count it as an error, so
    `jupyter nbconvert --execute` succeeds anyway;
  * it has fewer image/png outputs than its metadata.ci.min_png says (a plot that silently
    did not render), or metadata.ci.min_png is missing.

Only the standard library is used (json), so any python3 runs it: no nbformat needed.
Exit status 0 if every notebook passes, 1 otherwise; one line per notebook on stdout.
"""

import json
import re
import sys

EXIT_STATUS = re.compile(r"^exit status (\d+)\s*$")


def _text(value):
    """Joins a notebook string field, which may be a string or a list of strings."""
    return "".join(value) if isinstance(value, list) else (value or "")


def check(nb):
    """Returns (problems, png_count, min_png) for a parsed notebook."""
    problems = []
    pngs = 0
    for n, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", "")).strip()
        if source and cell.get("execution_count") is None:
            problems.append(f"cell {n}: not executed")
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"cell {n}: error {out.get('ename', '')}: {out.get('evalue', '')}".rstrip())
            elif kind == "stream" and out.get("name") == "stderr":
                for line in _text(out.get("text", "")).splitlines():
                    m = EXIT_STATUS.match(line.strip())
                    if m and m.group(1) != "0":
                        problems.append(f"cell {n}: a shell line failed ({line.strip()})")
            elif kind in ("display_data", "execute_result"):
                if "image/png" in out.get("data", {}):
                    pngs += 1
    min_png = nb.get("metadata", {}).get("ci", {}).get("min_png")
    if not isinstance(min_png, int) or isinstance(min_png, bool) or min_png < 0:
        problems.append("metadata.ci.min_png is missing or not a non-negative integer")
    elif pngs < min_png:
        problems.append(f"{pngs} image/png outputs, fewer than metadata.ci.min_png = {min_png}")
    return problems, pngs, min_png


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                nb = json.load(f)
        except (OSError, ValueError) as e:
            print(f"FAIL {path}: cannot read the notebook: {e}")
            failed += 1
            continue
        problems, pngs, min_png = check(nb)
        if problems:
            failed += 1
            print(f"FAIL {path}:")
            for p in problems:
                print(f"     {p}")
        else:
            print(f"ok   {path}: {pngs} PNGs (at least {min_png})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
