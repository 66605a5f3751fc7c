#!/usr/bin/python3
"""Tests check_outputs.py on hand-made executed notebooks: run with /usr/bin/python3 notebooks/check_outputs_test.py"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_outputs  # noqa: E402

PNG = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<img>"}}


def notebook(outputs_per_cell, min_png=1, executed=True):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]}]
    for i, outputs in enumerate(outputs_per_cell, start=1):
        cells.append({"cell_type": "code", "execution_count": i if executed else None, "metadata": {},
                      "source": ["%%\n", "fmt.Println(1)"], "outputs": outputs})
    meta = {"kernelspec": {"name": "gonb", "display_name": "Go (gonb)", "language": "go"}}
    if min_png is not None:
        meta["ci"] = {"min_png": min_png}
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def stderr(*lines):
    return {"output_type": "stream", "name": "stderr", "text": [l + "\n" for l in lines]}


class CheckOutputs(unittest.TestCase):
    def run_main(self, nb):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "nb.ipynb")
            with open(path, "w") as f:
                json.dump(nb, f)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                rc = check_outputs.main([path])
        return rc, out.getvalue()

    def test_good_notebook_passes(self):
        rc, out = self.run_main(notebook([[stderr("go: added x v1.0.0")], [PNG, PNG]], min_png=2))
        self.assertEqual(rc, 0, out)
        self.assertIn("2 PNGs", out)

    def test_failing_shell_line_fails(self):
        # What GoNB prints for a failing `!*false`; nbconvert reports success for it.
        rc, out = self.run_main(notebook([[stderr("exit status 1")], [PNG]]))
        self.assertEqual(rc, 1, out)
        self.assertIn("exit status 1", out)

    def test_exit_status_in_a_longer_stream_fails(self):
        rc, out = self.run_main(notebook([[stderr("go: downloading a v1", "some error", "exit status 2")], [PNG]]))
        self.assertEqual(rc, 1, out)

    def test_exit_status_on_stdout_passes(self):
        # A program may print the words itself; only GoNB's stderr line counts.
        rc, out = self.run_main(notebook([[{"output_type": "stream", "name": "stdout", "text": ["exit status 1\n"]}], [PNG]]))
        self.assertEqual(rc, 0, out)

    def test_too_few_pngs_fails(self):
        rc, out = self.run_main(notebook([[PNG], []], min_png=3))
        self.assertEqual(rc, 1, out)
        self.assertIn("1 image/png outputs, fewer than metadata.ci.min_png = 3", out)

    def test_missing_min_png_fails(self):
        rc, out = self.run_main(notebook([[PNG]], min_png=None))
        self.assertEqual(rc, 1, out)
        self.assertIn("min_png", out)

    def test_error_output_fails(self):
        err = {"output_type": "error", "ename": "ERROR", "evalue": "panic: boom", "traceback": []}
        rc, out = self.run_main(notebook([[err], [PNG]]))
        self.assertEqual(rc, 1, out)
        self.assertIn("panic: boom", out)

    def test_unexecuted_notebook_fails(self):
        rc, out = self.run_main(notebook([[PNG]], executed=False))
        self.assertEqual(rc, 1, out)
        self.assertIn("not executed", out)

    def test_unreadable_file_fails(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.ipynb")
            with open(path, "w") as f:
                f.write("{not json")
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(check_outputs.main([path]), 1)


if __name__ == "__main__":
    unittest.main()
