# fifo_server and fifoctl in one image, built from Debian 12's own packages.
#
#   docker build -t fifo:latest .
#   docker run --rm -p 50051:50051 -e FIFO_TOKENS='<token>:writer' fifo:latest
#   docker run --rm -e FIFO_DB=postgresql://... fifo:latest fifoctl migrate
#
# Stage 1 installs the build dependencies with the project's own
# scripts/setup.sh (Bazel, the compiler and the -dev packages, all via apt)
# and builds the two binaries with Bazel, offline. Stage 2 is
# debian:bookworm-slim with only the shared libraries they load at run time,
# and runs as the unprivileged user 10001 (docs/deploy.md).

# ---------------------------------------------------------------- build ----
FROM debian:bookworm AS build

ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src

# The package layer is cached until scripts/setup.sh changes.
COPY scripts/setup.sh scripts/setup.sh
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*

COPY . .
# The build container is the sandbox: --spawn_strategy=local, because Bazel's
# linux-sandbox needs namespaces that `docker build` usually denies. bazel-bin
# is a symlink into Bazel's output base: copy the files it points to
# (cp -L), then stop the Bazel server so that the layer is complete.
RUN bazel build -c opt --strip=always --spawn_strategy=local \
      //service:fifo_server //cli:fifoctl \
 && bin="$(bazel info -c opt bazel-bin)" \
 && mkdir -p /out \
 && cp -L "$bin/service/fifo_server" "$bin/cli/fifoctl" /out/ \
 && bazel shutdown

# -------------------------------------------------------------- runtime ----
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive
# Debian 12 runtime packages of the libraries the build links against
# (third_party/BUILD.bazel): gRPC (libgrpc++1.51 also holds
# libgrpc++_reflection), protobuf, Abseil, SOCI core + SQLite3 + PostgreSQL
# backends, SQLite, libpq, libcsv, libcurl (OpenSSL flavour: the alert
# webhook), spdlog/fmt, libuuid, prometheus-cpp core and cpp-httplib
# (/metrics), OpenSSL and the C++ runtime (already in the
# base image, listed to be explicit); the system CA certificates for
# outgoing TLS (the webhook).
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      ca-certificates \
      libabsl20220623 \
      libcpp-httplib0.11 \
      libcsv3 \
      libcurl4 \
      libfmt9 \
      libgrpc++1.51 \
      libgrpc29 \
      libpq5 \
      libprometheus-cpp-core1.0 \
      libprotobuf32 \
      libsoci-core4.0 \
      libsoci-postgresql4.0 \
      libsoci-sqlite3-4.0 \
      libspdlog1.10 \
      libsqlite3-0 \
      libssl3 \
      libstdc++6 \
      libuuid1 \
 && rm -rf /var/lib/apt/lists/*

# An unprivileged user with a fixed uid/gid (the Kubernetes manifests run as
# 10001:10001). /var/lib/fifo is its working directory: the default store
# sqlite:fifo.db lands there when no --db/FIFO_DB is given.
RUN groupadd --gid 10001 fifo \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/fifo \
      --shell /usr/sbin/nologin fifo \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/fifo

COPY --from=build /out/fifo_server /out/fifoctl /usr/local/bin/

# Fail the build, not the deployment, when a shared library is missing.
RUN if ldd /usr/local/bin/fifo_server /usr/local/bin/fifoctl | grep 'not found'; then \
      echo "missing shared libraries (see above)" >&2; exit 1; \
    fi \
 && /usr/local/bin/fifoctl --help >/dev/null

USER 10001:10001
WORKDIR /var/lib/fifo
EXPOSE 50051

# No ENTRYPOINT: `docker run IMAGE fifoctl ...` runs the CLI. Without
# --token-file or FIFO_TOKENS the server refuses this non-loopback address.
CMD ["/usr/local/bin/fifo_server", "--listen=0.0.0.0:50051"]
