#!/usr/bin/env bash
# Installs what the notebooks need on Debian 12 with Go: Debian's jupyter-nbconvert and
# graphviz (notebook 6 draws computation graphs with its dot program), goimports and the
# GoNB kernel (pinned versions, see /work/shared/notes/notebooks.md), then registers the
# kernel. Extra arguments go to `gonb --install`; CI passes --raw_error
# so that compile errors are readable in its log.
#
#   notebooks/install_kernel.sh               # for a student: then `jupyter notebook notebooks/`
#   notebooks/install_kernel.sh --raw_error   # for CI (notebooks/ci.sh)
#
# The kernel spec goes to $JUPYTER_DATA_DIR/kernels/gonb when JUPYTER_DATA_DIR is set,
# else to ~/.local/share/jupyter/kernels/gonb.
set -euo pipefail

GONB_VERSION=v0.11.4       # `gonb --version` prints v0.11.1 for it; `go version -m` shows the truth
GOIMPORTS_VERSION=v0.52.0  # golang.org/x/tools

gobin="$(go env GOBIN)"; [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"

if ! command -v jupyter-nbconvert >/dev/null || ! command -v jupyter-kernelspec >/dev/null || ! command -v dot >/dev/null; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # jupyter-nbconvert alone runs the notebooks; jupyter-client adds `jupyter kernelspec`;
    # graphviz draws notebook 6's graphs.
    $sudo apt-get install -y -qq --no-install-recommends jupyter-nbconvert jupyter-client graphviz >/dev/null
  else
    echo "install_kernel.sh: no apt-get; install jupyter (nbconvert, jupyter_client) and graphviz yourself" >&2
    exit 1
  fi
fi

if ! go version -m "$gobin/goimports" 2>/dev/null | grep -q "mod[[:space:]]*golang.org/x/tools[[:space:]]*$GOIMPORTS_VERSION"; then
  go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
fi

if ! go version -m "$gobin/gonb" 2>/dev/null | grep -q "mod[[:space:]]*github.com/janpfeifer/gonb[[:space:]]*$GONB_VERSION"; then
  # `go install pkg@version` reads the module's @v/list, which a filtered proxy may refuse
  # (403); building it from a throw-away module avoids that.
  if ! go install "github.com/janpfeifer/gonb@$GONB_VERSION" 2>/dev/null; then
    tmp=$(mktemp -d)
    (cd "$tmp" && go mod init gonb-install >/dev/null 2>&1 \
      && go get "github.com/janpfeifer/gonb@$GONB_VERSION" \
      && go install github.com/janpfeifer/gonb)
    rm -rf "$tmp"
  fi
fi

# --force_deps: gopls (autocomplete only) is not required to run notebooks.
gonb --install --force_deps "$@"
jupyter kernelspec list 2>/dev/null | grep -q '^ *gonb ' || { echo "install_kernel.sh: the gonb kernel is not registered" >&2; exit 1; }
echo "GoNB $GONB_VERSION kernel: $(jupyter kernelspec list 2>/dev/null | awk '$1=="gonb"{print $2}')"
