#!/usr/bin/env bash
# The layer must carry compiled wheels for the Lambda architecture (arm64), not this machine's.
set -euo pipefail
layer=.aws-sam/build/SharedLayer/python
core=$(find "$layer" -name '_pydantic_core*.so' | head -n 1)
if [ -z "$core" ]; then echo "no pydantic-core extension in $layer" >&2; exit 1; fi
case "$core" in
  *aarch64-linux-gnu.so) echo "layer wheels are arm64: $(basename "$core")" ;;
  *) echo "layer carries a non-arm64 pydantic-core: $core" >&2; exit 1 ;;
esac
test -f "$layer/leadlists/api.py" || { echo "layer lacks the leadlists package" >&2; exit 1; }
