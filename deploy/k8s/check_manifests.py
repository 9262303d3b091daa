#!/usr/bin/python3
"""Checks the Kubernetes manifests in deploy/k8s offline (no cluster needed).

Why: a mistake in these manifests shows only when a cluster refuses the pods
(the namespace enforces the "restricted" Pod Security Standard), when probes
fail on the wrong port, or when a pod waits for a Secret key nobody
documented. This program catches those before an apply.

What it checks, in order:
  1. `kubectl kustomize DIR` renders (kustomize warnings are shown, not
     fatal) and renders something;
  2. kubectl decodes every rendered object (`kubectl label --local`, which
     needs no cluster), as many objects as YAML documents;
  3. every document has apiVersion, kind and metadata.name, no object is
     defined twice, everything is in the namespace `fifo`; the expected kinds
     (Namespace, Deployment, Service, ConfigMap, Job, CronJob,
     PodDisruptionBudget) are rendered and no Secret is;
  4. every pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob):
     non-root uid 10001, seccomp RuntimeDefault, no service-account token,
     no hostPath, Secret volumes list their keys, ConfigMap volumes name a
     rendered ConfigMap;
     every container: an image, no privilege escalation, not privileged,
     read-only root file system, capabilities drop ALL and add none, CPU and
     memory requests and limits, /tmp on an emptyDir, Secret and ConfigMap
     mounts read-only, every $(VAR) in command/args defined in env;
  5. Deployment fifo-server: at least 2 replicas, selector matches the pod
     labels, runs fifo_server, --listen on the container port `grpc` and not
     on loopback, gRPC readiness and liveness probes on that port,
     --token-file inside the Secret volume and --symbol-config inside the
     ConfigMap volume (and projected by them), FIFO_DB from a Secret, a
     termination grace period of at least 60 s and above --shutdown-grace;
     Service fifo-server: ClusterIP, selects the server pods, port 50051 with
     appProtocol grpc targeting the grpc port; every PodDisruptionBudget
     selects the server pods;
  6. every Job: backoffLimit, ttlSecondsAfterFinished, restartPolicy Never or
     OnFailure; Job fifo-migrate runs `fifoctl migrate` with FIFO_DB from a
     Secret and no --db on its command line (the password would show in ps);
  7. CronJob fifo-incremental: hourly, concurrencyPolicy Forbid, a starting
     deadline and history limits, a backoffLimit, restartPolicy Never or
     OnFailure, runs `compute --incremental --triggered-by scheduled` against
     --server fifo-server.fifo.svc:50051 with FIFO_TOKEN from a Secret;
  8. every pod runs the same image (after kustomize's `images:` rewrite);
  9. every Secret key a pod reads (env or volume) is in secret.example.yaml,
     whose Secrets are in the namespace `fifo`;
 10. every *.json key of a ConfigMap (the symbol configuration) is JSON that
     maps each symbol to an object, with dust_threshold and min_trade_size
     as decimal strings;
 11. the Dockerfile's USER is 10001 (runAsNonRoot needs a numeric USER).

Failures name the source file, the object and the field, e.g.
  check_k8s: FAIL: deploy/k8s/deployment.yaml: Deployment/fifo-server,
  container fifo-server: spec.template.spec.containers[0].securityContext.
  readOnlyRootFilesystem: is not true

Needs kubectl (its built-in kustomize; Debian's kubectl 1.20 is enough) and
PyYAML (Debian's python3-yaml, installed by scripts/setup.sh): run it with
/usr/bin/python3. Exit status: 0 all checks passed, 1 a check failed, 2 a
tool or module is missing or the arguments are wrong.

Usage: check_manifests.py [--root DIR] [--kubectl PATH] [--dockerfile PATH]
                          [--secret-example PATH]
       check_manifests.py --self-test   (breaks copies of the manifests on
                                         purpose and expects each to fail)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

PROG = "check_k8s"
HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import yaml
except ImportError:
    print(f"{PROG}: PyYAML is missing for {sys.executable} (Debian package "
          "python3-yaml): run scripts/setup.sh as root, and run this program "
          "with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)

NAMESPACE = "fifo"
UID = 10001
GRPC_SERVICE_PORT = 50051
EXPECTED_KINDS = ("Namespace", "Deployment", "Service", "ConfigMap", "Job",
                  "CronJob", "PodDisruptionBudget")
# Where each workload kind keeps its pod template.
POD_TEMPLATE = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


class SetupError(Exception):
    """A tool is missing or cannot run: not a finding about the manifests."""


class CheckError(Exception):
    """The manifests cannot be checked further (render or parse failed)."""


def get(obj, *path, default=None):
    """obj[path[0]][path[1]]...; default when a step is missing or null."""
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return default
    return default if obj is None else obj


def dotted(*path):
    """("spec", "containers", 0, "image") -> "spec.containers[0].image"."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


def display(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def flag_value(args, flag):
    """The VALUE of --flag=VALUE or --flag VALUE, or None."""
    for i, a in enumerate(args):
        if a.startswith(flag + "="):
            return a[len(flag) + 1:]
        if a == flag and i + 1 < len(args):
            return args[i + 1]
    return None


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


class Findings:
    """The failures found so far, and where each object came from."""

    def __init__(self, sources):
        self.sources = sources  # (kind, name[, key]) -> file; see source_files()
        self.errors = []

    def source(self, kind, name, key=None):
        """The file that defines kind/name (its data key), or None."""
        want = (kind, name) + ((key,) if key else ())
        if want in self.sources:
            return self.sources[want]
        for k, f in self.sources.items():  # a generated name: NAME-<hash>
            if (len(k) == len(want) and k[0] == kind and k[2:] == want[2:]
                    and name.startswith(f"{k[1]}-")):
                return f
        return None

    def where(self, kind, name, detail=None, key=None):
        """ "deploy/k8s/deployment.yaml: Deployment/fifo-server[, detail]".

        key: a data key of a generated ConfigMap or Secret, to name the file
        it was made from."""
        source = ((key and self.source(kind, name, key)) or self.source(kind, name)
                  or "(rendered)")
        label = f"{source}: {kind}/{name}"
        return f"{label}, {detail}" if detail else label

    def fail(self, where, field, problem):
        self.errors.append(": ".join(p for p in (where, field, problem) if p))


# 1-2. Rendering and decoding.

def run_tool(argv, stdin=None):
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, text=True)
    except OSError as e:
        raise SetupError(f"cannot run {argv[0]}: {e}")


def render(kubectl, root):
    """The output of `kubectl kustomize root`; kustomize warnings to stderr."""
    r = run_tool([kubectl, "kustomize", root])
    if r.returncode != 0:
        raise CheckError(f"kubectl kustomize {display(root)} failed:\n{r.stderr.strip()}")
    for line in r.stderr.splitlines():
        print(f"{PROG}: kustomize: {line}", file=sys.stderr)
    if not r.stdout.strip():
        raise CheckError(f"kubectl kustomize {display(root)} rendered nothing")
    return r.stdout


def count_decoded(kubectl, rendered):
    """How many objects kubectl itself decodes from the rendered text."""
    r = run_tool([kubectl, "label", "--local", "-f", "-", "check-k8s=1", "-o", "name"],
                 stdin=rendered)
    if r.returncode != 0:
        raise CheckError(f"kubectl cannot decode the rendered manifests:\n{r.stderr.strip()}")
    return sum(1 for line in r.stdout.splitlines() if line.strip())


def load_documents(text, what):
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise CheckError(f"{what} is not valid YAML: {e}")


def source_files(root):
    """(kind, name) -> the file under root (or a base) that defines it, and
    (kind, name, data key) -> the file a generator made that key from.

    Only to name files in messages: follows `resources` (files, and
    directories with their own kustomization, i.e. bases and overlays) and
    the config map / secret generators. kubectl kustomize stays the authority
    on what is rendered."""
    sources = {}

    def visit(directory, depth=0):
        for fname in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            kpath = os.path.join(directory, fname)
            if os.path.isfile(kpath):
                break
        else:
            return
        try:
            with open(kpath) as f:
                k = yaml.safe_load(f) or {}
        except (OSError, yaml.YAMLError):
            return
        for gen in ("configMapGenerator", "secretGenerator"):
            for g in get(k, gen, default=[]):
                kind = "ConfigMap" if gen == "configMapGenerator" else "Secret"
                if isinstance(g, dict) and g.get("name"):
                    sources.setdefault((kind, g["name"]), f"{display(kpath)} ({gen})")
                    # files: [PATH] or [KEY=PATH]: (kind, name, key) -> PATH.
                    for entry in get(g, "files", default=[]):
                        key, _, path = str(entry).rpartition("=")
                        path = os.path.join(directory, path)
                        sources.setdefault((kind, g["name"], key or os.path.basename(path)),
                                           display(path))
        for res in get(k, "resources", default=[]) + get(k, "bases", default=[]):
            path = os.path.join(directory, str(res))
            if os.path.isdir(path) and depth < 10:
                visit(path, depth + 1)
            elif os.path.isfile(path):
                try:
                    with open(path) as f:
                        docs = list(yaml.safe_load_all(f))
                except (OSError, yaml.YAMLError):
                    continue
                for d in docs:
                    if isinstance(d, dict):
                        key = (d.get("kind"), get(d, "metadata", "name"))
                        sources.setdefault(key, display(path))

    visit(root)
    return sources


# 3. Identity, namespace and kinds.

def check_identity(docs, decoded, findings):
    """Returns {kind: [documents]} of the well-formed documents."""
    by_kind, seen = {}, set()
    for i, doc in enumerate(docs):
        where = f"rendered document {i + 1}"
        if not isinstance(doc, dict):
            findings.fail(where, None, "not a mapping")
            continue
        kind, name = doc.get("kind"), get(doc, "metadata", "name")
        for field, value in (("apiVersion", doc.get("apiVersion")), ("kind", kind),
                             ("metadata.name", name)):
            if not isinstance(value, str) or not value:
                findings.fail(where, field, "missing")
        if not (isinstance(kind, str) and isinstance(name, str)):
            continue
        where = findings.where(kind, name)
        if (kind, name) in seen:
            findings.fail(where, None, "defined twice")
        seen.add((kind, name))
        by_kind.setdefault(kind, []).append(doc)
        ns = get(doc, "metadata", "namespace")
        if kind == "Namespace":
            if name != NAMESPACE:
                findings.fail(where, "metadata.name", f"expected the namespace {NAMESPACE}")
        elif ns != NAMESPACE:
            findings.fail(where, "metadata.namespace", f"is {ns!r}, expected {NAMESPACE!r}")
    if decoded != len(docs):
        findings.fail(None, None, f"kubectl decoded {decoded} objects but PyYAML "
                      f"found {len(docs)} documents")
    return by_kind


def check_kinds(by_kind, findings):
    for kind in EXPECTED_KINDS:
        if kind not in by_kind:
            findings.fail(None, None, f"no {kind} rendered")
    for s in by_kind.get("Secret", []):
        findings.fail(findings.where("Secret", get(s, "metadata", "name")), None,
                      "a Secret is rendered: real secrets must be created outside "
                      "the kustomization (secret.example.yaml is a template only)")


def find(by_kind, kind, name, findings):
    for doc in by_kind.get(kind, []):
        if get(doc, "metadata", "name") == name:
            return doc
    findings.fail(None, None, f"no {kind}/{name} rendered")
    return None


# 4. Pods and containers.

class Pods:
    """What the pod checks collect for the later cross-object checks."""

    def __init__(self, configmaps):
        self.configmaps = configmaps      # name -> ConfigMap
        self.secret_refs = []             # (where, field, secret name, key)
        self.images = []                  # (where, field, image)


def workloads(by_kind):
    """(kind, name, document, path of the pod template) of every workload."""
    for kind, path in POD_TEMPLATE.items():
        for doc in by_kind.get(kind, []):
            yield kind, get(doc, "metadata", "name"), doc, path


def check_pod(findings, pods, kind, name, pod, at):
    """The restricted Pod Security Standard plus this project's rules.

    at: the path of the pod template in its object."""
    where = findings.where(kind, name)
    spec = get(pod, "spec", default={})
    psc = spec.get("securityContext") or {}
    sp = at + ("spec",)
    if psc.get("runAsNonRoot") is not True:
        findings.fail(where, dotted(*sp, "securityContext", "runAsNonRoot"), "is not true")
    if psc.get("runAsUser") != UID:
        findings.fail(where, dotted(*sp, "securityContext", "runAsUser"),
                      f"is {psc.get('runAsUser')!r}, not {UID}")
    if get(psc, "seccompProfile", "type") != "RuntimeDefault":
        findings.fail(where, dotted(*sp, "securityContext", "seccompProfile", "type"),
                      "is not RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False:
        findings.fail(where, dotted(*sp, "automountServiceAccountToken"), "is not false")

    volumes = {}
    for i, v in enumerate(spec.get("volumes") or []):
        vname = v.get("name")
        volumes[vname] = v
        vf = dotted(*sp, "volumes", i)
        if "hostPath" in v:
            findings.fail(where, f"{vf}.hostPath", f"volume {vname} is a hostPath")
        if "secret" in v:
            items = get(v, "secret", "items", default=[])
            if not items:
                findings.fail(where, f"{vf}.secret.items",
                              f"secret volume {vname} mounts every key (list items)")
            for item in items:
                pods.secret_refs.append((where, f"{vf}.secret.items",
                                         get(v, "secret", "secretName"), item.get("key")))
        if "configMap" in v:
            cm = get(v, "configMap", "name")
            if cm not in pods.configmaps:
                findings.fail(where, f"{vf}.configMap.name",
                              f"volume {vname} refers to ConfigMap {cm}, which is not rendered")

    containers = spec.get("containers") or []
    if not containers:
        findings.fail(where, dotted(*sp, "containers"), "no containers")
    listed = ([("containers", i, c) for i, c in enumerate(containers)] +
              [("initContainers", i, c) for i, c in enumerate(spec.get("initContainers") or [])])
    for field, i, c in listed:
        check_container(findings, pods, kind, name, c, sp + (field, i), psc, volumes)
        if field == "containers":
            pods.images.append((findings.where(kind, name, f"container {c.get('name')}"),
                                dotted(*sp, field, i, "image"), c.get("image")))


VAR_REF = re.compile(r"(?<!\$)\$\(([^)]*)\)")  # $(VAR), not the escape $$(VAR)


def check_container(findings, pods, kind, name, c, at, psc, volumes):
    where = findings.where(kind, name, f"container {c.get('name')}")

    def f(*rest):
        return dotted(*at, *rest)

    if not c.get("image"):
        findings.fail(where, f("image"), "no image")
    sc = c.get("securityContext") or {}
    if sc.get("allowPrivilegeEscalation") is not False:
        findings.fail(where, f("securityContext", "allowPrivilegeEscalation"), "is not false")
    if sc.get("readOnlyRootFilesystem") is not True:
        findings.fail(where, f("securityContext", "readOnlyRootFilesystem"), "is not true")
    if sc.get("privileged"):
        findings.fail(where, f("securityContext", "privileged"), "is true")
    if sc.get("runAsUser", psc.get("runAsUser")) in (None, 0):
        findings.fail(where, f("securityContext", "runAsUser"),
                      "runs as root (not set here nor in the pod)")
    if sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is not True:
        findings.fail(where, f("securityContext", "runAsNonRoot"),
                      "is not true (here or in the pod)")
    if "ALL" not in get(sc, "capabilities", "drop", default=[]):
        findings.fail(where, f("securityContext", "capabilities", "drop"), "does not drop ALL")
    if get(sc, "capabilities", "add"):
        findings.fail(where, f("securityContext", "capabilities", "add"), "adds capabilities")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        for r in ("cpu", "memory"):
            if r not in (res.get(part) or {}):
                findings.fail(where, f("resources", part, r), "missing")
    mounts = c.get("volumeMounts") or []
    tmp = next((m.get("name") for m in mounts if m.get("mountPath") == "/tmp"), None)
    if "emptyDir" not in volumes.get(tmp, {}):
        findings.fail(where, f("volumeMounts"),
                      "/tmp is not an emptyDir (the root file system is read-only)")
    for i, m in enumerate(mounts):
        v = volumes.get(m.get("name"), {})
        if ("secret" in v or "configMap" in v) and m.get("readOnly") is not True:
            findings.fail(where, f("volumeMounts", i, "readOnly"),
                          f"mount {m.get('mountPath')} is not readOnly")
    env_names = set()
    for i, e in enumerate(c.get("env") or []):
        env_names.add(e.get("name"))
        ref = get(e, "valueFrom", "secretKeyRef")
        if ref:
            pods.secret_refs.append((where, f("env", i, "valueFrom", "secretKeyRef"),
                                     ref.get("name"), ref.get("key")))
    for field in ("command", "args"):
        for i, a in enumerate(c.get(field) or []):
            for var in VAR_REF.findall(str(a)):
                if var not in env_names:
                    findings.fail(where, f(field, i), f"{a!r} uses $({var}), which is not in env")


# 5. The server: Deployment, Service, PodDisruptionBudget.

def check_server(by_kind, findings, pods):
    """Returns (the server pods' labels, the grpc container port); ({}, None)
    without the Deployment."""
    dep = find(by_kind, "Deployment", "fifo-server", findings)
    if dep is None:
        return {}, None
    where = findings.where("Deployment", "fifo-server")
    pod = get(dep, "spec", "template", default={})
    if (get(dep, "spec", "replicas") or 1) < 2:
        findings.fail(where, "spec.replicas", "fewer than 2")
    pod_labels = get(pod, "metadata", "labels", default={})
    if not selects(get(dep, "spec", "selector", "matchLabels", default={}), pod_labels):
        findings.fail(where, "spec.selector.matchLabels",
                      "does not match spec.template.metadata.labels")
    c = get(pod, "spec", "containers", 0, default={})
    cw = findings.where("Deployment", "fifo-server", f"container {c.get('name')}")
    cf = "spec.template.spec.containers[0]"
    command = c.get("command") or []
    args = command + (c.get("args") or [])
    if not any(str(a).endswith("fifo_server") for a in command):
        findings.fail(cw, f"{cf}.command", "is not fifo_server")
    ports = {p.get("name"): p.get("containerPort") for p in (c.get("ports") or [])}
    grpc_port = ports.get("grpc")
    if grpc_port is None:
        findings.fail(cw, f"{cf}.ports", "no container port named grpc")
    listen = flag_value(args, "--listen") or ""
    if not listen.endswith(f":{grpc_port}"):
        findings.fail(cw, f"{cf}.args", f"--listen {listen!r} is not on the grpc port {grpc_port}")
    if listen.startswith("127.") or listen.startswith("localhost"):
        findings.fail(cw, f"{cf}.args", f"--listen {listen!r} is loopback: unreachable in a pod")
    for probe in ("readinessProbe", "livenessProbe"):
        p = c.get(probe)
        if not p:
            findings.fail(cw, f"{cf}.{probe}", "missing")
        elif "grpc" not in p:
            findings.fail(cw, f"{cf}.{probe}", "is not a gRPC probe")
        elif get(p, "grpc", "port") != grpc_port:
            findings.fail(cw, f"{cf}.{probe}.grpc.port",
                          f"is {get(p, 'grpc', 'port')!r}, not the grpc port {grpc_port}")
    check_file_flags(findings, pods, cw, cf, pod, c, args)
    env = {e.get("name"): e for e in (c.get("env") or [])}
    if not get(env.get("FIFO_DB"), "valueFrom", "secretKeyRef"):
        findings.fail(cw, f"{cf}.env", "FIFO_DB does not come from a Secret (valueFrom.secretKeyRef)")
    grace = get(pod, "spec", "terminationGracePeriodSeconds", default=30)
    if grace < 60:
        findings.fail(where, "spec.template.spec.terminationGracePeriodSeconds",
                      f"{grace} is too short to drain a computation (at least 60)")
    drain = flag_value(args, "--shutdown-grace")
    if drain is not None:
        digits = drain[:-1] if drain.endswith("s") else drain
        if not digits.isdigit() or int(digits) >= grace:
            findings.fail(cw, f"{cf}.args", f"--shutdown-grace {drain} must be under the "
                          f"grace period {grace}s (terminationGracePeriodSeconds)")
    check_metrics_scrape(findings, where, cw, cf, pod, ports, args)
    return pod_labels, grpc_port


def check_metrics_scrape(findings, where, cw, cf, pod, ports, args):
    """Prometheus finds the server's /metrics: the pod's prometheus.io/*
    annotations name the port of a container port "metrics", on which
    --http-listen serves (not loopback)."""
    notes = get(pod, "metadata", "annotations", default={}) or {}
    if str(notes.get("prometheus.io/scrape")) != "true":
        findings.fail(where, "spec.template.metadata.annotations",
                      "prometheus.io/scrape is not \"true\"")
        return
    metrics_port = ports.get("metrics")
    if metrics_port is None:
        findings.fail(cw, f"{cf}.ports", "no container port named metrics")
        return
    if str(notes.get("prometheus.io/port")) != str(metrics_port):
        findings.fail(where, "spec.template.metadata.annotations",
                      f"prometheus.io/port {notes.get('prometheus.io/port')!r} is not "
                      f"the metrics port {metrics_port}")
    if notes.get("prometheus.io/path", "/metrics") != "/metrics":
        findings.fail(where, "spec.template.metadata.annotations",
                      "prometheus.io/path is not /metrics")
    http = flag_value(args, "--http-listen") or ""
    if not http.endswith(f":{metrics_port}") or http.startswith("127.") \
            or http.startswith("localhost"):
        findings.fail(cw, f"{cf}.args",
                      f"--http-listen {http!r} does not serve the metrics port "
                      f"{metrics_port} off loopback")


def check_file_flags(findings, pods, cw, cf, pod, c, args):
    """--token-file in the Secret volume, --symbol-config in the ConfigMap."""
    mounts = {m.get("name"): m.get("mountPath") for m in (c.get("volumeMounts") or [])}
    volumes = {v.get("name"): v for v in get(pod, "spec", "volumes", default=[])}
    for flag, source in (("--token-file", "secret"), ("--symbol-config", "configMap")):
        path = flag_value(args, flag)
        if path is None:
            findings.fail(cw, f"{cf}.args", f"no {flag}")
            continue
        for vname, mpath in mounts.items():
            v = volumes.get(vname, {})
            base = str(mpath).rstrip("/") + "/"
            if source in v and path.startswith(base):
                rel = path[len(base):]
                items = get(v, source, "items")
                if items is not None and rel not in [it.get("path") for it in items]:
                    findings.fail(cw, f"{cf}.args", f"{flag} {path}: {rel} is not "
                                  f"projected by volume {vname} (its {source}.items)")
                if source == "configMap":
                    cm_name = get(v, "configMap", "name")
                    if rel not in get(pods.configmaps.get(cm_name), "data", default={}):
                        findings.fail(cw, f"{cf}.args",
                                      f"{flag} {path}: ConfigMap {cm_name} has no key {rel}")
                break
        else:
            findings.fail(cw, f"{cf}.args", f"{flag} {path} is not inside a mounted {source} volume")


def check_service(by_kind, findings, pod_labels, grpc_port):
    svc = find(by_kind, "Service", "fifo-server", findings)
    if svc is None:
        return
    where = findings.where("Service", "fifo-server")
    if get(svc, "spec", "type", default="ClusterIP") != "ClusterIP":
        findings.fail(where, "spec.type", "is not ClusterIP")
    if not selects(get(svc, "spec", "selector", default={}), pod_labels):
        findings.fail(where, "spec.selector", "does not select the fifo-server pods")
    ports = get(svc, "spec", "ports", default=[])
    found = [(i, p) for i, p in enumerate(ports) if p.get("port") == GRPC_SERVICE_PORT]
    if not found:
        findings.fail(where, "spec.ports", f"no port {GRPC_SERVICE_PORT}")
        return
    i, p = found[0]
    if p.get("appProtocol") != "grpc":
        findings.fail(where, f"spec.ports[{i}].appProtocol", "is not grpc")
    if p.get("targetPort") not in ("grpc", grpc_port):
        findings.fail(where, f"spec.ports[{i}].targetPort",
                      f"{p.get('targetPort')!r} is not the grpc container port")


def check_pdbs(by_kind, findings, pod_labels):
    for pdb in by_kind.get("PodDisruptionBudget", []):
        if not selects(get(pdb, "spec", "selector", "matchLabels", default={}), pod_labels):
            findings.fail(findings.where("PodDisruptionBudget", get(pdb, "metadata", "name")),
                          "spec.selector.matchLabels", "does not select the fifo-server pods")


# 6. Jobs.

def check_jobs(by_kind, findings):
    for job in by_kind.get("Job", []):
        where = findings.where("Job", get(job, "metadata", "name"))
        for field in ("backoffLimit", "ttlSecondsAfterFinished"):
            if get(job, "spec", field) is None:
                findings.fail(where, f"spec.{field}", "missing")
        if get(job, "spec", "template", "spec", "restartPolicy") not in ("Never", "OnFailure"):
            findings.fail(where, "spec.template.spec.restartPolicy", "must be Never or OnFailure")
    migrate = find(by_kind, "Job", "fifo-migrate", findings)
    if migrate is not None:
        c = get(migrate, "spec", "template", "spec", "containers", 0, default={})
        args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
        where = findings.where("Job", "fifo-migrate")
        if not (any(a.endswith("fifoctl") for a in args) and "migrate" in args):
            findings.fail(where, "spec.template.spec.containers[0].command/args",
                          "does not run `fifoctl migrate`")
        if any(a == "--db" or a.startswith("--db=") for a in args):
            findings.fail(where, "spec.template.spec.containers[0].args",
                          "passes --db on the command line (the password shows "
                          "in ps); let fifoctl read $FIFO_DB")
        db_env = [e for e in (c.get("env") or []) if e.get("name") == "FIFO_DB"]
        if not db_env or get(db_env[0], "valueFrom", "secretKeyRef") is None:
            findings.fail(where, "spec.template.spec.containers[0].env",
                          "FIFO_DB must come from a Secret (secretKeyRef)")


# 7. The CronJob.

def check_cronjob(by_kind, findings):
    cron = find(by_kind, "CronJob", "fifo-incremental", findings)
    if cron is None:
        return
    where = findings.where("CronJob", "fifo-incremental")
    spec = cron.get("spec") or {}
    fields = str(spec.get("schedule", "")).split()
    if len(fields) != 5 or not fields[0].isdigit() or fields[1:] != ["*"] * 4:
        findings.fail(where, "spec.schedule", f"{spec.get('schedule')!r} is not hourly")
    if spec.get("concurrencyPolicy") != "Forbid":
        findings.fail(where, "spec.concurrencyPolicy", "is not Forbid")
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit",
                  "failedJobsHistoryLimit"):
        if spec.get(field) is None:
            findings.fail(where, f"spec.{field}", "missing")
    if get(spec, "jobTemplate", "spec", "backoffLimit") is None:
        findings.fail(where, "spec.jobTemplate.spec.backoffLimit", "missing")
    pod = get(spec, "jobTemplate", "spec", "template", default={})
    pf = "spec.jobTemplate.spec.template.spec"
    if get(pod, "spec", "restartPolicy") not in ("Never", "OnFailure"):
        findings.fail(where, f"{pf}.restartPolicy", "must be Never or OnFailure")
    c = get(pod, "spec", "containers", 0, default={})
    args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    want = ["compute", "--incremental", "--triggered-by", "scheduled"]
    if not any(args[i:i + len(want)] == want for i in range(len(args))):
        findings.fail(where, f"{pf}.containers[0].args",
                      "does not run `compute --incremental --triggered-by scheduled`")
    server = flag_value(args, "--server")
    if server != f"fifo-server.{NAMESPACE}.svc:{GRPC_SERVICE_PORT}":
        findings.fail(where, f"{pf}.containers[0].args",
                      f"--server {server!r} is not the fifo-server Service")
    env = {e.get("name"): e for e in (c.get("env") or [])}
    if not get(env.get("FIFO_TOKEN"), "valueFrom", "secretKeyRef"):
        findings.fail(where, f"{pf}.containers[0].env",
                      "FIFO_TOKEN does not come from a Secret (valueFrom.secretKeyRef)")


# 8-11. Across objects and files.

def check_images(findings, pods):
    images = sorted({str(image) for _, _, image in pods.images})
    if len(images) > 1:
        users = "; ".join(f"{w}: {field} = {image}" for w, field, image in pods.images)
        findings.fail(None, None, f"the pods use different images {images}: {users}")


def check_secret_example(findings, pods, path):
    shown = display(path)
    try:
        with open(path) as f:
            example = [d for d in yaml.safe_load_all(f) if d is not None]
    except (OSError, yaml.YAMLError) as e:
        findings.fail(shown, None, str(e))
        example = []
    secrets = {get(d, "metadata", "name"): d for d in example
               if isinstance(d, dict) and d.get("kind") == "Secret"}
    for where, field, name, key in pods.secret_refs:
        s = secrets.get(name)
        if s is None:
            findings.fail(where, field, f"Secret {name} is not described in {shown}")
        elif key not in (s.get("stringData") or {}) and key not in (s.get("data") or {}):
            findings.fail(where, field, f"key {key} of Secret {name} is missing from {shown} "
                          "(stringData or data)")
    for name, s in secrets.items():
        if get(s, "metadata", "namespace") != NAMESPACE:
            findings.fail(f"{shown}: Secret/{name}", "metadata.namespace", f"is not {NAMESPACE}")


def check_symbol_config(findings, configmaps):
    for name, cm in configmaps.items():
        for key, text in (cm.get("data") or {}).items():
            if not key.endswith(".json"):
                continue
            where = findings.where("ConfigMap", name, key=key)
            field = f"data[{key}]"
            try:
                parsed = json.loads(text)
            except ValueError as e:
                findings.fail(where, field, f"is not JSON: {e}")
                continue
            if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
                findings.fail(where, field, "must map each symbol to an object")
                continue
            for sym, conf in parsed.items():
                for k in ("dust_threshold", "min_trade_size"):
                    if k in conf and not isinstance(conf[k], str):
                        findings.fail(where, field,
                                      f"{sym}.{k} must be a decimal in a JSON string")


def check_dockerfile(findings, path):
    shown = display(path)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        findings.fail(shown, None, f"cannot read it: {e}")
        return
    if not any(re.fullmatch(rf"USER {UID}(:{UID})?", line) for line in lines):
        findings.fail(shown, "USER", f"is not {UID}:{UID}, the uid the manifests run as")


def run_checks(root, kubectl, dockerfile, secret_example=None):
    """All checks on the manifests in root; returns (documents, failures).

    Raises CheckError when nothing more can be checked, SetupError when a
    tool cannot run."""
    rendered = render(kubectl, root)
    decoded = count_decoded(kubectl, rendered)
    docs = load_documents(rendered, "the rendered output")
    findings = Findings(source_files(root))
    by_kind = check_identity(docs, decoded, findings)
    check_kinds(by_kind, findings)
    pods = Pods({get(d, "metadata", "name"): d for d in by_kind.get("ConfigMap", [])})
    for kind, name, doc, path in workloads(by_kind):
        check_pod(findings, pods, kind, name, get(doc, *path, default={}), path)
    pod_labels, grpc_port = check_server(by_kind, findings, pods)
    check_service(by_kind, findings, pod_labels, grpc_port)
    check_pdbs(by_kind, findings, pod_labels)
    check_jobs(by_kind, findings)
    check_cronjob(by_kind, findings)
    check_images(findings, pods)
    check_secret_example(findings, pods,
                         secret_example or os.path.join(root, "secret.example.yaml"))
    check_symbol_config(findings, pods.configmaps)
    check_dockerfile(findings, dockerfile)
    return len(docs), findings.errors


def checked(root, kubectl, dockerfile, secret_example=None):
    """run_checks, with a manifest shaped unlike any valid one (a list where a
    map belongs...) reported as such instead of a bare traceback."""
    try:
        return run_checks(root, kubectl, dockerfile, secret_example)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        traceback.print_exc()
        raise CheckError(f"unexpected manifest structure: {type(e).__name__}: {e}")


# --self-test: break copies of the manifests, one rule at a time.

DELETE = object()

# (file, path in its first document, new value or DELETE or a function of
# the old value, a fragment the failure must contain).
MUTATIONS = [
    ("deployment.yaml", "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem",
     False, "containers[0].securityContext.readOnlyRootFilesystem: is not true"),
    ("deployment.yaml", "spec.template.spec.containers.0.readinessProbe.grpc.port",
     8080, "readinessProbe.grpc.port: is 8080, not the grpc port 50051"),
    ("deployment.yaml", "spec.template.spec.containers.0.args.0",
     "--listen=127.0.0.1:50051", "is loopback"),
    ("deployment.yaml", "spec.template.spec.terminationGracePeriodSeconds",
     90, "--shutdown-grace 100s must be under the grace period 90s"),
    ("deployment.yaml", "spec.template.spec.containers.0.args.4",
     "--http-listen=127.0.0.1:9090", "does not serve the metrics port 9090 off loopback"),
    ("migrate-job.yaml", "spec.template.spec.securityContext.runAsUser",
     0, "Job/fifo-migrate: spec.template.spec.securityContext.runAsUser: is 0, not 10001"),
    ("migrate-job.yaml", "spec.template.spec.containers.0.args.0",
     "--db=$(FIFO_DB)", "passes --db on the command line"),
    ("cronjob.yaml", "spec.concurrencyPolicy", "Allow", "spec.concurrencyPolicy: is not Forbid"),
    ("cronjob.yaml", "spec.jobTemplate.spec.template.spec.containers.0.image",
     "other:1", "the pods use different images"),
    ("cronjob.yaml", "spec.jobTemplate.spec.template.spec.volumes", DELETE,
     "/tmp is not an emptyDir"),
    ("service.yaml", "spec.ports.0.targetPort", 8080,
     "spec.ports[0].targetPort: 8080 is not the grpc container port"),
    ("kustomization.yaml", "resources", lambda r: r + ["secret.example.yaml"],
     "a Secret is rendered"),
    ("kustomization.yaml", "resources", lambda r: [x for x in r if x != "pdb.yaml"],
     "no PodDisruptionBudget rendered"),
    ("secret.example.yaml", "stringData.cronjob-token", DELETE,
     "key cronjob-token of Secret fifo-secrets is missing"),
    ("symbols.json", "default.dust_threshold", 0,
     "default.dust_threshold must be a decimal in a JSON string"),
]


def mutate(path, field, value):
    """Changes field ("a.0.b") of the first document of a YAML or JSON file."""
    is_json = path.endswith(".json")
    with open(path) as f:
        docs = [json.load(f)] if is_json else list(yaml.safe_load_all(f))
    *parents, last = [int(k) if k.isdigit() else k for k in field.split(".")]
    obj = docs[0]
    for key in parents:
        obj = obj[key]
    if value is DELETE:
        del obj[last]
    elif callable(value):
        obj[last] = value(obj[last])
    else:
        obj[last] = value
    with open(path, "w") as f:
        if is_json:
            json.dump(docs[0], f)
        else:
            yaml.safe_dump_all(docs, f)


def self_test(root, kubectl, dockerfile):
    """Every mutation must fail with its message; the copy unchanged must pass."""
    problems = 0
    with tempfile.TemporaryDirectory(prefix="check_k8s.") as tmp:
        for i, (fname, field, value, expected) in enumerate([(None,) * 4] + MUTATIONS):
            copy = os.path.join(tmp, str(i))
            shutil.copytree(root, copy)
            label = ("unchanged copy" if fname is None
                     else f"{fname}: {field} -> expect {expected!r}")
            if fname is not None:
                mutate(os.path.join(copy, fname), field, value)
            try:
                _, errors = checked(copy, kubectl, dockerfile)
            except CheckError as e:
                errors = [str(e)]
            if fname is None:
                ok = not errors
            else:
                ok = any(expected in e for e in errors)
            problems += not ok
            print(f"{PROG}: self-test: {'ok  ' if ok else 'FAIL'} {label}", file=sys.stderr)
            if not ok:
                want = "no failure" if fname is None else f"a failure containing {expected!r}"
                print(f"{PROG}: self-test:   expected {want}, got:", file=sys.stderr)
                for e in errors or ["(no failure)"]:
                    print(f"{PROG}: self-test:     {e}", file=sys.stderr)
    print(f"k8s self-test: {len(MUTATIONS)} broken copies, "
          f"{'all caught' if problems == 0 else f'{problems} problem(s)'}")
    return 0 if problems == 0 else 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="check_manifests.py",
        description="Checks the Kubernetes manifests offline (see the module docstring).")
    parser.add_argument("--root", default=HERE,
                        help="the kustomization directory to check (default: %(default)s)")
    parser.add_argument("--kubectl", default=os.environ.get("KUBECTL") or shutil.which("kubectl"),
                        help="kubectl to use (default: $KUBECTL, else kubectl on PATH)")
    parser.add_argument("--dockerfile",
                        default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "Dockerfile"),
                        help="the image's Dockerfile (default: %(default)s)")
    parser.add_argument("--secret-example",
                        help="the Secret template (default: ROOT/secret.example.yaml)")
    parser.add_argument("--self-test", action="store_true",
                        help="break copies of the manifests on purpose; each must fail")
    opts = parser.parse_args(argv)
    if not opts.kubectl:
        print(f"{PROG}: kubectl not found: install Debian's kubernetes-client "
              "(scripts/check_k8s.sh does when run as root), or set "
              "KUBECTL=/path/to/kubectl", file=sys.stderr)
        return 2
    if not os.path.isdir(opts.root):
        print(f"{PROG}: --root {opts.root}: not a directory", file=sys.stderr)
        return 2
    try:
        if opts.self_test:
            return self_test(opts.root, opts.kubectl, opts.dockerfile)
        count, errors = checked(opts.root, opts.kubectl, opts.dockerfile, opts.secret_example)
    except SetupError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except CheckError as e:
        print(f"{PROG}: FAIL: {e}", file=sys.stderr)
        return 1
    for e in errors:
        print(f"{PROG}: FAIL: {e}", file=sys.stderr)
    if errors:
        print(f"{PROG}: {len(errors)} check(s) failed in {display(opts.root)}", file=sys.stderr)
        return 1
    print(f"k8s: {count} documents rendered, all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
