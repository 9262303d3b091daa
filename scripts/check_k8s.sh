#!/usr/bin/env bash
# Checks the Kubernetes manifests offline (no cluster needed): runs
# deploy/k8s/check_manifests.py, whose docstring lists the checks. Ends with
# "k8s: N documents rendered, all checks passed" (exit 0) or lists every
# failure (exit 1); exit 2 when a tool or module is missing.
#
# Needs kubectl (Debian's kubernetes-client is enough; installed here when
# running as root without any kubectl) and PyYAML for Debian's
# /usr/bin/python3 (python3-yaml, from scripts/setup.sh). Debian's python on
# purpose: the python3 on PATH may be a pyenv shim that cannot see Debian's
# modules.
#
# Arguments go to the program: --root DIR checks another kustomization
# directory, --self-test breaks copies of the manifests and expects each to
# fail. Environment: K8S_DIR (same as --root), KUBECTL (default: kubectl on
# PATH), PYTHON (default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
[[ -x "$PYTHON" ]] ||
  { echo "check_k8s: $PYTHON not found: run scripts/setup.sh as root" >&2; exit 2; }

if [[ -z "${KUBECTL:-}" ]] && ! command -v kubectl >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
  echo "check_k8s: installing kubernetes-client (kubectl) with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || true
  apt-get install -y -q --no-install-recommends kubernetes-client >&2
fi

exec "$PYTHON" deploy/k8s/check_manifests.py ${K8S_DIR:+--root "$K8S_DIR"} "$@"
