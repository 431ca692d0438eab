#!/bin/sh
# Build the real lgpio Python module (its C library linked in) from its PyPI source, for
# benchmarks/real_lgpio.py on a machine that has no lgpio package (any Linux with cc).
# On a Raspberry Pi, lgpio comes from the system (python3-lgpio) or the venv instead.
#   bash benchmarks/build_lgpio.sh [DEST]     (default: .lgpio-build)
set -eu
dest=${1:-.lgpio-build}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$dest"
"$python" -m venv "$dest/tools"
"$dest/tools/bin/pip" install -q "swig<4.1" setuptools   # SWIG 4.1 dropped PyInt_AsLong, which lgpio.i uses
"$dest/tools/bin/pip" download -q lgpio==0.2.2.0 --no-binary :all: --no-deps -d "$dest"
tar -xzf "$dest/lgpio-0.2.2.0.tar.gz" -C "$dest"
cd "$dest/lgpio-0.2.2.0"
PATH="$(cd ../tools/bin && pwd):$PATH" PYPI=1 "../tools/bin/python" setup.py -q build_ext --inplace
cp lgpio.py _lgpio*.so ..
echo "lgpio built in $dest"
