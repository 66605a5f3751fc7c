#!/usr/bin/env bash
# Re-executes every notebook in place, so that the committed notebooks carry fresh outputs (the
# pictures a reader sees on a code host), then checks them as CI does. Needs the GoNB kernel:
# notebooks/install_kernel.sh. Cell timings are not recorded, to keep the diffs small.
#
#   notebooks/refresh.sh                     # all notebooks
#   notebooks/refresh.sh notebooks/03_mlp.ipynb  # some
#
# nbconvert writes a notebook only if every cell succeeded, so a failing notebook keeps its old
# outputs and the script exits non-zero.
set -euo pipefail
nbdir="$(cd "$(dirname "$0")" && pwd)"
gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"

if [ $# -gt 0 ]; then nbs=("$@"); else nbs=("$nbdir"/*.ipynb); fi
status=0
for nb in "${nbs[@]}"; do
  t0=$SECONDS
  if log=$(jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1200 \
             --ExecutePreprocessor.record_timing=False "$nb" 2>&1); then
    printf '%-32s %4d s\n' "$(basename "$nb")" $((SECONDS - t0))
  else
    printf '%-32s %4d s  FAILED:\n' "$(basename "$nb")" $((SECONDS - t0))
    grep -v '^[IWE][0-9]\{4\} ' <<<"$log" | tail -n 40 | sed 's/^/    /'
    status=1
  fi
done
/usr/bin/python3 "$nbdir/check_outputs.py" "${nbs[@]}" || status=1
exit $status
