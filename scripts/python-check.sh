#!/usr/bin/env bash
# The construct library as a Python package, as CI builds and uses it (called by .ci/run; needs
# Python 3 with venv besides Node.js):
#   1. jsii compiles constructs/ (skipped when constructs/.jsii is newer than every source),
#   2. constructs/API.md (jsii-docgen) must match the assembly: fails when it is stale,
#   3. jsii-pacmak builds the Python wheel (constructs/dist-jsii/python/) and the npm tarball it
#      embeds (constructs/dist-jsii/js/),
#   4. a virtual environment gets PyPI's aws-cdk-lib, constructs and jsii
#      (examples/python/requirements.txt) and the wheel,
#   5. `cdk synth` runs examples/python/app.py (a VPC, a BlueGreenService, ReleaseSupport).
# The environment is kept under ~/.cache/bluegreen-fleet/, one per requirements.txt and Python
# version (pip's own cache keeps the downloads), so a run reinstalls only the wheel it built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { echo "python-check: $*"; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
t0=$(date +%s)

t=$(date +%s)
node scripts/prepack-constructs.js >/dev/null
step "jsii compile and bundles in $(elapsed "$t")"

t=$(date +%s)
node scripts/docgen.js --check
step "API.md checked in $(elapsed "$t")"

t=$(date +%s)
rm -rf constructs/dist-jsii
# The js target is the npm tarball the Python package embeds; scripts/consumer-test.sh tests it.
(cd constructs && "$root/node_modules/.bin/jsii-pacmak" --targets js python --outdir dist-jsii)
wheel="$(ls constructs/dist-jsii/python/*.whl)"
step "built $(basename "$wheel") and $(basename "$(ls constructs/dist-jsii/js/*.tgz)") in $(elapsed "$t")"

t=$(date +%s)
python="$(command -v python3)"
key="$( (cat examples/python/requirements.txt; "$python" --version) | sha256sum | cut -c1-12)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/bluegreen-fleet/python-venv-$key"
if [ ! -e "$venv/.complete" ]; then
  # Made whole or not at all: an interrupted install is started again, never reused.
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r examples/python/requirements.txt
  touch "$venv/.complete"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
# The wheel's own requirements (aws-cdk-lib, constructs, jsii ranges) are met by what is installed.
"$venv/bin/python" -m pip check >/dev/null
step "virtual environment $venv ready in $(elapsed "$t")"

t=$(date +%s)
out="$(mktemp -d "${TMPDIR:-/tmp}/bgf-python-synth.XXXXXX")"
trap 'rm -rf "$out"' EXIT
(cd examples/python && PATH="$venv/bin:$PATH" "$root/node_modules/.bin/cdk" synth --app "$venv/bin/python app.py" \
  --output "$out" --quiet --no-notices --no-version-reporting >/dev/null)
[ -s "$out/orders-python.template.json" ] || { echo "python-check: no orders-python template synthesized" >&2; exit 1; }
step "Python app synthesized in $(elapsed "$t")"
step "done in $(elapsed "$t0")"
