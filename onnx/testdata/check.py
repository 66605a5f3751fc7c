"""Checks ONNX files with the onnx package's checker, shape inference included.

Usage: python3 check.py FILE...; prints one line per file and exits 1 if any fails.
"""
import sys

import onnx

failed = False
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print("ok", path)
    except Exception as e:  # the checker raises several kinds
        print("FAIL", path, e)
        failed = True
sys.exit(1 if failed else 0)
