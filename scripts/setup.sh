#!/usr/bin/env bash
# Installs every Debian 12 package this project needs to build, test, run and
# benchmark. Idempotent; run as root. Nothing is downloaded except Debian
# packages: Bazel builds against these system libraries offline.
set -euo pipefail

PACKAGES=(
  # Build: Bazel and the card's libraries (see ../shared/build-notes.md).
  bazel-bootstrap
  g++
  libgrpc++-dev protobuf-compiler-grpc grpc-proto
  libprotobuf-dev protobuf-compiler
  libabsl-dev
  libsoci-dev libsqlite3-dev libpq-dev
  libboost-dev
  # CLI11: fifoctl's subcommands; libcsv: RFC 4180 CSV; spdlog: structured
  # logs; uuid-dev: batch UUIDs.
  libcli11-dev libcsv-dev libspdlog-dev uuid-dev
  # libssl-dev: libcrypto's SHA-256 for the symbol config hash (formats/).
  libssl-dev
  # libcurl4-openssl-dev: the HTTP client of the unmatched-sell alert webhook
  # (common/alert_webhook.cc, fifoctl --alert-webhook).
  libcurl4-openssl-dev
  # Tests and benchmarks.
  libgtest-dev libgmock-dev libbenchmark-dev
  # Fuzzing (scripts/fuzz_smoke.sh): clang 14 and its libFuzzer/ASan/UBSan
  # runtimes; the default build stays on g++.
  clang libclang-rt-14-dev
  # The production store, started by the test script as a throwaway cluster;
  # sqlite3 for the store-limit benchmark.
  postgresql sqlite3
  # Test helpers written in Python (a tiny HTTP server for the alert test).
  python3
  # PyYAML for Debian's /usr/bin/python3: deploy/k8s/check_manifests.py
  # (scripts/check_k8s.sh) parses the rendered manifests with it.
  python3-yaml
  # /usr/bin/time for bench/run.sh (wall time and peak RSS).
  time
  # fifo_server's /metrics (issue: operations): prometheus-cpp's registry and
  # Prometheus text format instead of hand-written exposition, served by
  # cpp-httplib, Debian's packaged HTTP server library (service/metrics).
  prometheus-cpp-dev libcpp-httplib-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages already installed" >&2
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts a default PostgreSQL cluster on install; the tests use their
# own throwaway cluster and do not need it.
echo "setup: done" >&2
