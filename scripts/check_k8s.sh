#!/usr/bin/env bash
# Checks the Kubernetes manifests offline (no cluster needed):
#   1. renders deploy/k8s with `kubectl kustomize`;
#   2. has kubectl decode every rendered object (`kubectl label --local`,
#      which works without a cluster);
#   3. parses the documents with PyYAML and checks them: apiVersion, kind and
#      metadata.name everywhere; the expected kinds (Namespace, Deployment,
#      Service, ConfigMap, Job, CronJob, PodDisruptionBudget) and no Secret;
#      every pod non-root, read-only root file system, no privilege
#      escalation, all capabilities dropped, seccomp RuntimeDefault, /tmp on
#      an emptyDir; gRPC readiness/liveness probes on the serving port;
#      Service, PDB and CronJob pointing at the Deployment; every Secret key
#      the pods read present in deploy/k8s/secret.example.yaml; the symbol
#      configuration valid JSON;
#   4. checks that the Dockerfile's USER is the uid the pods run as (10001).
# Ends with "k8s: N documents rendered, all checks passed" (exit 0) or lists
# every failure (exit 1).
#
# Tools, all from Debian: kubectl (package kubernetes-client, kubectl 1.20
# with its built-in kustomize, is enough) and /usr/bin/python3 with PyYAML
# (python3-yaml). Missing ones are installed with apt-get when running as
# root. Without PyYAML and without root, step 3 falls back to the same core
# checks done through kubectl's JSONPath output.
#
# Environment: K8S_DIR (default deploy/k8s), KUBECTL (default: kubectl on
# PATH), PYTHON (default /usr/bin/python3: Debian's, which sees
# python3-yaml).
set -euo pipefail
cd "$(dirname "$0")/.."

K8S_DIR=${K8S_DIR:-deploy/k8s}
readonly NAMESPACE=fifo
PYTHON=${PYTHON:-/usr/bin/python3}

die() {
  echo "check_k8s: $*" >&2
  exit 1
}

apt_install() {
  echo "check_k8s: installing $* with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || true
  apt-get install -y -q --no-install-recommends "$@" >&2
}

# kubectl.
KUBECTL=${KUBECTL:-}
if [[ -z "$KUBECTL" ]]; then
  if ! command -v kubectl >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
      apt_install kubernetes-client || die "could not install kubernetes-client"
    else
      die "kubectl not found: install Debian's kubernetes-client as root" \
        "(apt-get install kubernetes-client), or set KUBECTL=/path/to/kubectl"
    fi
  fi
  KUBECTL=$(command -v kubectl) || die "kubectl still not found"
fi
[[ -x "$KUBECTL" ]] || KUBECTL=$(command -v "$KUBECTL") ||
  die "KUBECTL=$KUBECTL is not an executable"

# PyYAML (optional without root, see the file comment).
have_yaml() { [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import yaml' 2>/dev/null; }
if ! have_yaml && [[ $(id -u) -eq 0 && "$PYTHON" == /usr/bin/python3 ]]; then
  apt_install python3-yaml || echo "check_k8s: could not install python3-yaml" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rendered=$work/rendered.yaml

# 1. Render.
if ! "$KUBECTL" kustomize "$K8S_DIR" >"$rendered" 2>"$work/kustomize.err"; then
  cat "$work/kustomize.err" >&2
  die "kubectl kustomize $K8S_DIR failed"
fi
# Deprecation warnings and the like: show, do not fail.
[[ -s "$work/kustomize.err" ]] && sed 's/^/check_k8s: kustomize: /' "$work/kustomize.err" >&2
[[ -s "$rendered" ]] || die "kubectl kustomize $K8S_DIR rendered nothing"

# 2. kubectl decodes every object offline.
if ! "$KUBECTL" label --local -f "$rendered" check-k8s=1 -o name \
  >"$work/names" 2>"$work/label.err"; then
  cat "$work/label.err" >&2
  die "kubectl cannot decode the rendered manifests"
fi
decoded=$(grep -c . "$work/names" || true)

# 3a. The thorough checks: PyYAML.
if have_yaml; then
  count=$("$PYTHON" - "$rendered" "$K8S_DIR/secret.example.yaml" "$decoded" "$NAMESPACE" <<'PY'
import json
import sys

import yaml

rendered_path, secret_example_path, decoded, namespace = sys.argv[1:5]
errors = []


def unexpected(kind, value, tb):
    # A manifest shaped unlike any valid one (a list where a map belongs...).
    import traceback
    traceback.print_exception(kind, value, tb)
    print(f"check_k8s: FAIL: unexpected manifest structure: {kind.__name__}: {value}",
          file=sys.stderr)
    sys.exit(1)


sys.excepthook = unexpected


def fail(msg):
    errors.append(msg)


def get(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return default
    return default if obj is None else obj


with open(rendered_path) as f:
    try:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        print(f"check_k8s: rendered output is not valid YAML: {e}", file=sys.stderr)
        sys.exit(1)

by_kind = {}
seen = set()
for i, doc in enumerate(docs):
    where = f"document {i + 1}"
    if not isinstance(doc, dict):
        fail(f"{where}: not a mapping")
        continue
    api, kind, name = doc.get("apiVersion"), doc.get("kind"), get(doc, "metadata", "name")
    for field, value in (("apiVersion", api), ("kind", kind), ("metadata.name", name)):
        if not isinstance(value, str) or not value:
            fail(f"{where}: missing {field}")
    if not (isinstance(kind, str) and isinstance(name, str)):
        continue
    where = f"{kind}/{name}"
    if (kind, name) in seen:
        fail(f"{where}: defined twice")
    seen.add((kind, name))
    by_kind.setdefault(kind, []).append(doc)
    ns = get(doc, "metadata", "namespace")
    if kind == "Namespace":
        if name != namespace:
            fail(f"{where}: expected the namespace {namespace}")
    elif ns != namespace:
        fail(f"{where}: namespace is {ns!r}, expected {namespace!r}")

if int(decoded) != len(docs):
    fail(f"kubectl decoded {decoded} objects but PyYAML found {len(docs)} documents")

for kind in ("Namespace", "Deployment", "Service", "ConfigMap", "Job", "CronJob",
             "PodDisruptionBudget"):
    if kind not in by_kind:
        fail(f"no {kind} rendered")
if "Secret" in by_kind:
    fail("a Secret is rendered: real secrets must be created outside the "
         "kustomization (secret.example.yaml is a template only)")


def one(kind, name):
    for doc in by_kind.get(kind, []):
        if get(doc, "metadata", "name") == name:
            return doc
    fail(f"no {kind}/{name} rendered")
    return {}


configmaps = {get(d, "metadata", "name"): d for d in (by_kind.get("ConfigMap") or [])}
secret_refs = []  # (where, secret name, key)


def check_pod(where, pod):
    """The restricted Pod Security Standard plus this project's rules."""
    spec = get(pod, "spec", default={})
    psc = (spec.get("securityContext") or {})
    if psc.get("runAsNonRoot") is not True:
        fail(f"{where}: pod securityContext.runAsNonRoot is not true")
    if psc.get("runAsUser") != 10001:
        fail(f"{where}: pod securityContext.runAsUser is not 10001")
    if get(psc, "seccompProfile", "type") != "RuntimeDefault":
        fail(f"{where}: pod seccompProfile is not RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False:
        fail(f"{where}: automountServiceAccountToken is not false")
    volumes = {v.get("name"): v for v in (spec.get("volumes") or [])}
    for vname, v in volumes.items():
        if "hostPath" in v:
            fail(f"{where}: volume {vname} is a hostPath")
        if "secret" in v:
            items = get(v, "secret", "items", default=[])
            if not items:
                fail(f"{where}: secret volume {vname} mounts every key (list items)")
            for item in items:
                secret_refs.append((where, get(v, "secret", "secretName"), item.get("key")))
        if "configMap" in v:
            cm = get(v, "configMap", "name")
            if cm not in configmaps:
                fail(f"{where}: volume {vname} refers to ConfigMap {cm}, which is not rendered")
    containers = (spec.get("containers") or [])
    if not containers:
        fail(f"{where}: no containers")
    for c in containers + (spec.get("initContainers") or []):
        cw = f"{where} container {c.get('name')}"
        if not c.get("image"):
            fail(f"{cw}: no image")
        sc = (c.get("securityContext") or {})
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{cw}: allowPrivilegeEscalation is not false")
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{cw}: readOnlyRootFilesystem is not true")
        if sc.get("privileged"):
            fail(f"{cw}: privileged")
        if sc.get("runAsUser", psc.get("runAsUser")) in (None, 0):
            fail(f"{cw}: runs as root")
        if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
            fail(f"{cw}: runAsNonRoot is not true")
        if "ALL" not in get(sc, "capabilities", "drop", default=[]):
            fail(f"{cw}: capabilities do not drop ALL")
        if get(sc, "capabilities", "add"):
            fail(f"{cw}: adds capabilities")
        res = (c.get("resources") or {})
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(part, {}):
                    fail(f"{cw}: no resources.{part}.{r}")
        mounts = {m.get("mountPath"): m.get("name") for m in (c.get("volumeMounts") or [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
            fail(f"{cw}: /tmp is not an emptyDir (the root file system is read-only)")
        for m in (c.get("volumeMounts") or []):
            v = volumes.get(m.get("name"), {})
            if ("secret" in v or "configMap" in v) and m.get("readOnly") is not True:
                fail(f"{cw}: mount {m.get('mountPath')} is not readOnly")
        env_names = set()
        for e in (c.get("env") or []):
            env_names.add(e.get("name"))
            ref = get(e, "valueFrom", "secretKeyRef")
            if ref:
                secret_refs.append((cw, ref.get("name"), ref.get("key")))
        for a in (c.get("command") or []) + (c.get("args") or []):
            if "$(" in a:
                var = a[a.index("$(") + 2:a.index(")", a.index("$("))]
                if var not in env_names:
                    fail(f"{cw}: argument {a!r} uses $({var}), which is not in env")
    return containers[0] if containers else {}


def flag_value(args, flag):
    """--flag=VALUE or --flag VALUE."""
    for i, a in enumerate(args):
        if a.startswith(flag + "="):
            return a[len(flag) + 1:]
        if a == flag and i + 1 < len(args):
            return args[i + 1]
    return None


# Deployment fifo-server.
dep = one("Deployment", "fifo-server")
if dep:
    where = "Deployment/fifo-server"
    pod = get(dep, "spec", "template", default={})
    if (get(dep, "spec", "replicas") or 1) < 2:
        fail(f"{where}: fewer than 2 replicas")
    selector = get(dep, "spec", "selector", "matchLabels", default={})
    pod_labels = get(pod, "metadata", "labels", default={})
    if not selector or any(pod_labels.get(k) != v for k, v in selector.items()):
        fail(f"{where}: selector does not match the pod labels")
    c = check_pod(where, pod)
    args = (c.get("command") or []) + (c.get("args") or [])
    if not any(a.endswith("fifo_server") for a in (c.get("command") or [])):
        fail(f"{where}: command is not fifo_server")
    ports = {p.get("name"): p.get("containerPort") for p in (c.get("ports") or [])}
    grpc_port = ports.get("grpc")
    if grpc_port is None:
        fail(f"{where}: no container port named grpc")
    listen = flag_value(args, "--listen") or ""
    if not listen.endswith(f":{grpc_port}"):
        fail(f"{where}: --listen {listen!r} is not on the grpc port {grpc_port}")
    if listen.startswith("127.") or listen.startswith("localhost"):
        fail(f"{where}: --listen {listen!r} is loopback: unreachable in a pod")
    for probe in ("readinessProbe", "livenessProbe"):
        p = c.get(probe)
        if not p:
            fail(f"{where}: no {probe}")
        elif "grpc" not in p:
            fail(f"{where}: {probe} is not a gRPC probe")
        elif get(p, "grpc", "port") != grpc_port:
            fail(f"{where}: {probe} is not on the grpc port {grpc_port}")
    mounts = {m.get("name"): m.get("mountPath") for m in (c.get("volumeMounts") or [])}
    volumes = {v.get("name"): v for v in get(pod, "spec", "volumes", default=[])}

    def file_in_volume(flag, source):
        path = flag_value(args, flag)
        if path is None:
            fail(f"{where}: no {flag}")
            return
        for vname, mpath in mounts.items():
            v = volumes.get(vname, {})
            if source in v and path.startswith(mpath.rstrip("/") + "/"):
                rel = path[len(mpath.rstrip("/")) + 1:]
                items = get(v, source, "items")
                if items is not None and rel not in [it.get("path") for it in items]:
                    fail(f"{where}: {flag} {path}: {rel} is not projected by volume {vname}")
                if source == "configMap":
                    data = get(configmaps.get(get(v, "configMap", "name")), "data", default={})
                    if rel not in data:
                        fail(f"{where}: {flag} {path}: the ConfigMap has no key {rel}")
                return
        fail(f"{where}: {flag} {path} is not inside a mounted {source} volume")

    file_in_volume("--token-file", "secret")
    file_in_volume("--symbol-config", "configMap")
    env = {e.get("name"): e for e in (c.get("env") or [])}
    if not get(env.get("FIFO_DB"), "valueFrom", "secretKeyRef"):
        fail(f"{where}: FIFO_DB does not come from a Secret")
    grace = get(pod, "spec", "terminationGracePeriodSeconds", default=30)
    if grace < 60:
        fail(f"{where}: terminationGracePeriodSeconds {grace} is too short to drain a computation")
    drain = flag_value(args, "--shutdown-grace")
    if drain is not None:
        seconds = int(drain.rstrip("s")) if drain.rstrip("s").isdigit() else None
        if seconds is None or seconds >= grace:
            fail(f"{where}: --shutdown-grace {drain} must be under the grace period {grace}s")

    # Service.
    svc = one("Service", "fifo-server")
    if svc:
        sw = "Service/fifo-server"
        if get(svc, "spec", "type", default="ClusterIP") != "ClusterIP":
            fail(f"{sw}: not ClusterIP")
        sel = get(svc, "spec", "selector", default={})
        if not sel or any(pod_labels.get(k) != v for k, v in sel.items()):
            fail(f"{sw}: selector does not select the fifo-server pods")
        sports = get(svc, "spec", "ports", default=[])
        p50051 = [p for p in sports if p.get("port") == 50051]
        if not p50051:
            fail(f"{sw}: no port 50051")
        else:
            p = p50051[0]
            if p.get("appProtocol") != "grpc":
                fail(f"{sw}: port 50051 appProtocol is not grpc")
            if p.get("targetPort") not in ("grpc", grpc_port):
                fail(f"{sw}: port 50051 does not target the grpc container port")

    # PodDisruptionBudget.
    for pdb in (by_kind.get("PodDisruptionBudget") or []):
        sel = get(pdb, "spec", "selector", "matchLabels", default={})
        if not sel or any(pod_labels.get(k) != v for k, v in sel.items()):
            fail(f"PodDisruptionBudget/{get(pdb, 'metadata', 'name')}: "
                 "selector does not select the fifo-server pods")

# Migration Job.
for job in (by_kind.get("Job") or []):
    where = f"Job/{get(job, 'metadata', 'name')}"
    for field in ("backoffLimit", "ttlSecondsAfterFinished"):
        if get(job, "spec", field) is None:
            fail(f"{where}: no spec.{field}")
    c = check_pod(where, get(job, "spec", "template", default={}))
    if get(job, "spec", "template", "spec", "restartPolicy") not in ("Never", "OnFailure"):
        fail(f"{where}: restartPolicy must be Never or OnFailure")
migrate = one("Job", "fifo-migrate")
if migrate:
    c = get(migrate, "spec", "template", "spec", "containers", 0, default={})
    args = (c.get("command") or []) + (c.get("args") or [])
    if not (any(a.endswith("fifoctl") for a in args) and "migrate" in args
            and flag_value(args, "--db") == "$(FIFO_DB)"):
        fail("Job/fifo-migrate: does not run `fifoctl --db $(FIFO_DB) migrate`")

# CronJob.
cron = one("CronJob", "fifo-incremental")
if cron:
    where = "CronJob/fifo-incremental"
    spec = (cron.get("spec") or {})
    fields = str(spec.get("schedule", "")).split()
    if len(fields) != 5 or not fields[0].isdigit() or fields[1:] != ["*"] * 4:
        fail(f"{where}: schedule {spec.get('schedule')!r} is not hourly")
    if spec.get("concurrencyPolicy") != "Forbid":
        fail(f"{where}: concurrencyPolicy is not Forbid")
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit",
                  "failedJobsHistoryLimit"):
        if spec.get(field) is None:
            fail(f"{where}: no spec.{field}")
    if get(spec, "jobTemplate", "spec", "backoffLimit") is None:
        fail(f"{where}: no jobTemplate.spec.backoffLimit")
    pod = get(spec, "jobTemplate", "spec", "template", default={})
    if get(pod, "spec", "restartPolicy") not in ("Never", "OnFailure"):
        fail(f"{where}: restartPolicy must be Never or OnFailure")
    c = check_pod(where, pod)
    args = (c.get("command") or []) + (c.get("args") or [])
    want = ["compute", "--incremental", "--triggered-by", "scheduled"]
    if not any(args[i:i + len(want)] == want for i in range(len(args))):
        fail(f"{where}: does not run `compute --incremental --triggered-by scheduled`")
    server = flag_value(args, "--server")
    if server != f"fifo-server.{namespace}.svc:50051":
        fail(f"{where}: --server {server!r} is not the fifo-server Service")
    env = {e.get("name"): e for e in (c.get("env") or [])}
    if not get(env.get("FIFO_TOKEN"), "valueFrom", "secretKeyRef"):
        fail(f"{where}: FIFO_TOKEN does not come from a Secret")

# Every pod uses the same image.
images = set()
for kind in ("Deployment", "Job"):
    for d in by_kind.get(kind, []):
        images.update(c.get("image") for c in get(d, "spec", "template", "spec", "containers", default=[]))
for d in (by_kind.get("CronJob") or []):
    images.update(c.get("image") for c in
                  get(d, "spec", "jobTemplate", "spec", "template", "spec", "containers", default=[]))
if len(images) != 1:
    fail(f"the pods use different images: {sorted(map(str, images))}")

# The Secret template covers every key the pods read.
try:
    with open(secret_example_path) as f:
        example = [d for d in yaml.safe_load_all(f) if d is not None]
except (OSError, yaml.YAMLError) as e:
    example = []
    fail(f"{secret_example_path}: {e}")
examples = {get(d, "metadata", "name"): d for d in example if d.get("kind") == "Secret"}
for where, name, key in secret_refs:
    s = examples.get(name)
    if s is None:
        fail(f"{where}: Secret {name} is not described in {secret_example_path}")
    elif key not in (s.get("stringData") or {}) and key not in (s.get("data") or {}):
        fail(f"{where}: key {key} of Secret {name} is missing from {secret_example_path}")
for name, s in examples.items():
    if get(s, "metadata", "namespace") != namespace:
        fail(f"{secret_example_path}: Secret {name} is not in namespace {namespace}")

# The symbol configuration.
for name, cm in configmaps.items():
    for key, text in (cm.get("data") or {}).items():
        if key.endswith(".json"):
            try:
                parsed = json.loads(text)
            except ValueError as e:
                fail(f"ConfigMap/{name}: {key} is not JSON: {e}")
                continue
            if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
                fail(f"ConfigMap/{name}: {key} must map each symbol to an object")
                continue
            for sym, conf in parsed.items():
                for k in ("dust_threshold", "min_trade_size"):
                    if k in conf and not isinstance(conf[k], str):
                        fail(f"ConfigMap/{name}: {key}: {sym}.{k} must be a decimal in a JSON string")

if errors:
    for e in errors:
        print(f"check_k8s: FAIL: {e}", file=sys.stderr)
    sys.exit(1)
print(len(docs))
PY
  ) || die "checks failed (see above)"
else
  # 3b. Fallback without PyYAML: the core checks through kubectl JSONPath.
  echo "check_k8s: no PyYAML ($PYTHON -c 'import yaml' fails; Debian package" \
    "python3-yaml): core checks only" >&2
  jp() { "$KUBECTL" label --local -f "$rendered" check-k8s=1 -o jsonpath="$1"; }
  errors=0
  bad() { echo "check_k8s: FAIL: $*" >&2; errors=$((errors + 1)); }
  count=0
  while IFS=$'\t' read -r api kind name ns; do
    count=$((count + 1))
    [[ -n "$api" && -n "$kind" && -n "$name" ]] ||
      bad "document $count: missing apiVersion, kind or metadata.name"
    [[ "$kind" == Namespace || "$ns" == "$NAMESPACE" ]] ||
      bad "$kind/$name: namespace is '$ns', expected '$NAMESPACE'"
    [[ "$kind" != Secret ]] || bad "a Secret is rendered (secret.example.yaml is a template only)"
  done < <(jp '{.apiVersion}{"\t"}{.kind}{"\t"}{.metadata.name}{"\t"}{.metadata.namespace}{"\n"}')
  ((count == decoded)) || bad "kubectl decoded $decoded objects but listed $count"
  kinds=$(jp '{.kind}{"\n"}')
  for kind in Namespace Deployment Service ConfigMap Job CronJob PodDisruptionBudget; do
    grep -qx "$kind" <<<"$kinds" || bad "no $kind rendered"
  done
  # Pod templates of the Deployment and the Job (CronJob: PyYAML only).
  pods=$(jp '{range .spec.template.spec}{.securityContext.runAsNonRoot}|{.securityContext.runAsUser}|{.securityContext.seccompProfile.type}{"\n"}{end}' |
    grep . || true)
  [[ -n "$pods" ]] || bad "no pod template found"
  while IFS='|' read -r nonroot uid seccomp; do
    [[ "$nonroot" == true && "$uid" == 10001 && "$seccomp" == RuntimeDefault ]] ||
      bad "a pod template is not runAsNonRoot/runAsUser 10001/seccomp RuntimeDefault"
  done <<<"$pods"
  containers=$(jp '{range .spec.template.spec.containers[*]}{.name}|{.securityContext.readOnlyRootFilesystem}|{.securityContext.allowPrivilegeEscalation}|{.securityContext.capabilities.drop[*]}{"\n"}{end}' |
    grep . || true)
  while IFS='|' read -r cname rofs ape drop; do
    [[ "$rofs" == true && "$ape" == false && " $drop " == *" ALL "* ]] ||
      bad "container $cname lacks readOnlyRootFilesystem/allowPrivilegeEscalation false/drop ALL"
  done <<<"$containers"
  probes=$(jp '{.kind}|{range .spec.template.spec.containers[*]}{.readinessProbe.grpc.port}|{.livenessProbe.grpc.port}{end}{"\n"}' |
    grep '^Deployment|' || true)
  [[ "$probes" == "Deployment|50051|50051" ]] ||
    bad "the Deployment's readiness and liveness probes are not gRPC on port 50051 ($probes)"
  ((errors == 0)) || die "$errors check(s) failed"
fi

# The image runs as the uid the manifests ask for (runAsNonRoot needs a
# numeric USER).
if [[ -f Dockerfile ]] && ! grep -qE '^USER 10001(:10001)?$' Dockerfile; then
  die "Dockerfile: USER is not 10001:10001, the uid the manifests run as"
fi

echo "k8s: $count documents rendered, all checks passed"
