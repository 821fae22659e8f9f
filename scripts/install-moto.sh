#!/usr/bin/env bash
# moto's server mode stands in for AWS KMS; it lives in its own venv in the cache.
source "$(dirname "$0")/env.sh"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
venv="$HPS_CACHE/moto-venv"
if [[ -x "$venv/bin/moto_server" ]] && "$venv/bin/python" -c "import moto,sys; sys.exit(moto.__version__!='$MOTO_VERSION')" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
"$venv/bin/python" -c "import moto; print('moto', moto.__version__)"
