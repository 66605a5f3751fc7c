#!/usr/bin/env bash
# CI for the notebooks, called by .ci/run: installs the GoNB kernel, executes every notebook
# headlessly into a scratch directory (the committed notebooks are not touched) and fails if a
# cell fails, a shell line in a cell fails, or a notebook shows fewer images than its
# metadata.ci.min_png.
#
#   notebooks/ci.sh                          # scratch directory from mktemp, removed on success
#   notebooks/ci.sh notebooks/03_mlp.ipynb   # only some notebooks
#   NOTEBOOKS_OUT=/some/dir notebooks/ci.sh  # keep the executed notebooks and logs there
#   NOTEBOOKS_SKIP_INSTALL=1 notebooks/ci.sh # the kernel is already installed (see install_kernel.sh)
set -euo pipefail
nbdir="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$nbdir")"
py=/usr/bin/python3 # the system python: a pyenv or venv python3 on PATH may lack Jupyter

if [ -n "${NOTEBOOKS_OUT:-}" ]; then
  out="$NOTEBOOKS_OUT"; keep=1; mkdir -p "$out"
else
  out="$(mktemp -d "${TMPDIR:-/tmp}/dlgo-notebooks.XXXXXX")"; keep=0
fi
echo "notebooks: executed copies and logs in $out"

gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH" # gonb and goimports; the kernel inherits PATH

# 1. The checker's own tests.
echo "== notebooks: check_outputs tests"
if ! "$py" "$nbdir/check_outputs_test.py" >"$out/check_outputs_test.log" 2>&1; then
  cat "$out/check_outputs_test.log" >&2; exit 1
fi
tail -n 1 "$out/check_outputs_test.log"

# 2. The kernel. CI registers it in the scratch directory, with --raw_error so that compile
#    errors are readable in the logs, and leaves a developer's own kernel alone.
export JUPYTER_DATA_DIR="$out/jupyter"
if [ -z "${NOTEBOOKS_SKIP_INSTALL:-}" ]; then
  echo "== notebooks: install the kernel"
  t0=$SECONDS
  if ! "$nbdir/install_kernel.sh" --raw_error >"$out/install_kernel.log" 2>&1; then
    cat "$out/install_kernel.log" >&2; exit 1
  fi
  tail -n 1 "$out/install_kernel.log"
  echo "kernel installed in $((SECONDS - t0)) s"
else
  unset JUPYTER_DATA_DIR
fi
(cd "$repo" && go mod download)

# execute NOTEBOOK: runs it into $out, its log in $out/<name>.log; returns nbconvert's status.
execute() {
  local nb="$1" name
  name="$(basename "$nb" .ipynb)"
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1200 \
    --output-dir "$out" --output "$name" "$nb" >"$out/$name.log" 2>&1
}

# 3. The canary: a notebook whose shell line fails must be rejected by the checker. If GoNB
#    ever reports a failing shell line differently, this stops CI instead of letting the
#    notebooks' failures through unnoticed.
echo "== notebooks: canary (a failing shell line must be caught)"
execute "$nbdir/testdata/failing_shell.ipynb" || true
if "$py" "$nbdir/check_outputs.py" "$out/failing_shell.ipynb" >"$out/failing_shell.check" 2>&1; then
  echo "notebooks: check_outputs.py accepted a notebook with a failing shell line:" >&2
  cat "$out/failing_shell.check" >&2
  exit 1
fi
grep -q "exit status 1" "$out/failing_shell.check" || { cat "$out/failing_shell.check" >&2; exit 1; }
echo "caught: $(grep 'exit status' "$out/failing_shell.check" | sed 's/^ *//')"

# 4. The notebooks, one after the other, timed.
echo "== notebooks: execute"
status=0
total0=$SECONDS
executed=()
if [ $# -gt 0 ]; then nbs=("$@"); else nbs=("$nbdir"/*.ipynb); fi
for nb in "${nbs[@]}"; do
  name="$(basename "$nb" .ipynb)"
  t0=$SECONDS
  if execute "$nb"; then
    printf '%-24s %4d s\n' "$name" $((SECONDS - t0))
    executed+=("$out/$name.ipynb")
  else
    printf '%-24s %4d s  FAILED (nbconvert); the end of %s:\n' "$name" $((SECONDS - t0)) "$out/$name.log"
    # The failing cell and GoNB's message, without the Python traceback and the kernel's log lines.
    grep -v '^[IWE][0-9]\{4\} ' "$out/$name.log" | sed -n '/CellExecutionError\|Timeout\|Error/,$p' | tail -n 40 | sed 's/^/    /'
    status=1
  fi
done
printf '%-24s %4d s\n' "all notebooks" $((SECONDS - total0))

# 5. What nbconvert lets through: failing shell lines and missing images.
echo "== notebooks: check outputs"
if [ ${#executed[@]} -gt 0 ]; then
  "$py" "$nbdir/check_outputs.py" "${executed[@]}" || status=1
fi

if [ $status -ne 0 ]; then
  echo "notebooks: FAILED; executed notebooks and logs kept in $out" >&2
  exit 1
fi
[ $keep = 1 ] || rm -rf "$out"
echo "notebooks: ok"
