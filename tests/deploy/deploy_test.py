#!/usr/bin/env python3
"""The deployables as shipped, checked with what runs here (no cluster, no
registry, no Docker daemon):

- the Kubernetes manifest and compose file pass yamllint, and the manifest
  has what a production pod needs (pinned image, resources, dropped
  capabilities, seccomp, every Secret it defines mounted, HTTP probes);
- dxledgerd started with the Dockerfile's ENTRYPOINT and the manifest's own
  arguments (paths mapped to a temporary directory) passes the manifest's
  startup, liveness and readiness probes and the Dockerfile's HEALTHCHECK,
  and stops cleanly on SIGTERM;
- the systemd unit's hardening level (systemd-analyze security, offline),
  and dxledgerd started with the shipped config file;
- the Docker build context that .dockerignore leaves.

Usage: deploy_test.py SOURCE_DIR DXLEDGERD
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

SOURCE, DXLEDGERD = sys.argv[1], sys.argv[2]
DEPLOY = os.path.join(SOURCE, "deploy")
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The pod's HTTP port serves HTTPS with a certificate made for the test;
# the probes, like Kubernetes', do not verify it.
UNVERIFIED = ssl._create_unverified_context()


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=5, context=UNVERIFIED) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def start(args, work):
    log = open(os.path.join(work, "dxledgerd.log"), "w")
    return subprocess.Popen([DXLEDGERD] + args, stdout=log, stderr=subprocess.STDOUT)


def wait_for(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if http_status(url) == 200:
            return True
        time.sleep(0.2)
    return False


def stop(process):
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def lint_yaml():
    alerts = os.path.join(DEPLOY, "prometheus", "dxledger-alerts.yaml")
    files = [os.path.join(DEPLOY, "k8s", "dxledger.yaml"), os.path.join(DEPLOY, "compose.yaml"),
             alerts]
    lint = subprocess.run(["yamllint", "-c", os.path.join(SOURCE, ".yamllint.yaml")] + files,
                          capture_output=True, text=True)
    check(lint.returncode == 0, "yamllint:\n" + lint.stdout + lint.stderr)
    # Each alert watches a metric the server exports (checked in run_as_manifest).
    rules = yaml.safe_load(open(alerts))["groups"][0]["rules"]
    return {m for r in rules for m in re.findall(r"dxledger_[a-z_]+", r["expr"])}


def manifest():
    docs = list(yaml.safe_load_all(open(os.path.join(DEPLOY, "k8s", "dxledger.yaml"))))
    statefulset = next(d for d in docs if d["kind"] == "StatefulSet")
    service = next(d for d in docs if d["kind"] == "Service")
    pod = statefulset["spec"]["template"]["spec"]
    container = pod["containers"][0]
    image = container["image"]
    check(":" in image and not image.endswith(":latest"), f"image {image} is not pinned")
    for kind in ("requests", "limits"):
        check({"cpu", "memory"} <= set(container.get("resources", {}).get(kind, {})),
              f"resources.{kind} lacks cpu or memory")
    security = container.get("securityContext", {})
    check(security.get("capabilities", {}).get("drop") == ["ALL"], "capabilities not dropped")
    check(security.get("readOnlyRootFilesystem") is True, "root filesystem writable")
    check(security.get("allowPrivilegeEscalation") is False, "privilege escalation allowed")
    check(pod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
          "no seccomp profile")
    mounted = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    volumes = {v["name"] for v in pod["volumes"]}
    for doc in docs:
        if doc["kind"] == "Secret":
            check(doc["metadata"]["name"] in mounted,
                  f"Secret {doc['metadata']['name']} is defined but not mounted")
    for mount in container["volumeMounts"]:
        check(mount["name"] in volumes or mount["name"] == "data", f"mount {mount['name']} has no volume")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check({"grpc", "metrics"} <= {p["name"] for p in service["spec"]["ports"]},
          "the Service does not expose grpc and metrics")
    probes = {}
    for name in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = container.get(name, {})
        check("httpGet" in probe, f"{name} is not an HTTP probe (the gRPC port is TLS only)")
        if "httpGet" in probe:
            port = probe["httpGet"]["port"]
            probes[name] = (ports.get(port, port), probe["httpGet"]["path"],
                            probe["httpGet"].get("scheme", "HTTP").lower())
    return container, ports, probes


def dockerfile():
    text = open(os.path.join(DEPLOY, "Dockerfile")).read().replace("\\\n", " ")
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M).group(1))
    healthcheck = re.search(r"^HEALTHCHECK .*?CMD (.*)$", text, re.M).group(1)
    return entrypoint, healthcheck


def run_as_manifest(work, alert_metrics):
    container, ports, probes = manifest()
    entrypoint, healthcheck = dockerfile()
    check(entrypoint[0] == "dxledgerd", "ENTRYPOINT does not run dxledgerd")
    # The pod's files: TLS from a Secret, the log's key from another.
    tls, keys, data = (os.path.join(work, d) for d in ("tls", "keys", "data"))
    for d in (tls, keys):
        os.makedirs(d)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", os.path.join(tls, "tls.key"),
                    "-out", os.path.join(tls, "tls.crt")], check=True, capture_output=True)
    keymaker = os.path.join(work, "keymaker")
    port_file = os.path.join(work, "keymaker.port")
    process = start(["--data-dir", keymaker, "--listen", "127.0.0.1:0", "--metrics-listen", "",
                     "--port-file", port_file], work)
    deadline = time.time() + 30
    while not os.path.exists(port_file) and time.time() < deadline:
        time.sleep(0.1)
    stop(process)
    shutil.copy(os.path.join(keymaker, "checkpoint.key"), os.path.join(keys, "checkpoint.key"))

    grpc, metrics = free_port(), free_port()
    mapped = {"/var/lib/dxledger": data, "/tls": tls, "/keys": keys,
              f"0.0.0.0:{ports['grpc']}": f"127.0.0.1:{grpc}",
              f"0.0.0.0:{ports['metrics']}": f"127.0.0.1:{metrics}"}

    def local(arg):
        for pod_path, here in mapped.items():
            if arg == pod_path or arg.startswith(pod_path + "/"):
                return here + arg[len(pod_path):]
        return arg

    args = [local(a) for a in entrypoint[1:] + container["args"]]
    print("dxledgerd", " ".join(args))
    process = start(args, work)
    url = lambda probe: f"{probes[probe][2]}://127.0.0.1:{metrics}{probes[probe][1]}"
    check(all(port == ports["metrics"] for port, _, _ in probes.values()),
          "a probe is not on metrics")
    # With --tls-cert the HTTP port serves HTTPS only: the probes must say so.
    check(all(scheme == "https" for _, _, scheme in probes.values()),
          "a probe is not HTTPS, but the pod's HTTP port serves TLS")
    check(wait_for(url("startupProbe"), 60), "the startup probe never passed:\n" +
          open(os.path.join(work, "dxledgerd.log")).read())
    check(http_status(f"http://127.0.0.1:{metrics}/livez") != 200,
          "the HTTP port answers plain HTTP though the pod has TLS")
    check(http_status(url("livenessProbe")) == 200, "the liveness probe fails")
    check(http_status(url("readinessProbe")) == 200, "the readiness probe fails")
    with urllib.request.urlopen(f"https://127.0.0.1:{metrics}/metrics", timeout=5,
                                context=UNVERIFIED) as reply:
        exported = set(re.findall(r"^# TYPE (dxledger_[a-z_]+)", reply.read().decode(), re.M))
    check(alert_metrics and alert_metrics <= exported,
          f"alerts watch metrics the server does not export: {alert_metrics - exported}")
    health = subprocess.run(healthcheck.replace(f":{ports['metrics']}/", f":{metrics}/"),
                            shell=True, capture_output=True)
    check(health.returncode == 0, f"the Dockerfile's HEALTHCHECK fails: {health.stderr}")
    check(stop(process) == 0, "dxledgerd did not stop cleanly on SIGTERM")


def systemd(work):
    unit = os.path.join(DEPLOY, "systemd", "dxledgerd.service")
    analysis = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=15",
                               unit], capture_output=True, text=True)
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", analysis.stdout)
    print("systemd-analyze security:", level.group(0) if level else analysis.stdout[-300:])
    check(analysis.returncode == 0 and level and float(level.group(1)) <= 1.5,
          "the unit's exposure level is above 1.5")
    text = open(unit).read()
    config = re.search(r"--config (\S+)", text).group(1)
    check(os.path.basename(config) == "dxledgerd.toml", "the unit names another config file")
    check("ReadWritePaths=/var/lib/dxledger -/var/backups/dxledger" in text,
          "no writable place for backups")
    metrics = free_port()
    process = start(["--config", os.path.join(DEPLOY, "systemd", "dxledgerd.toml"),
                     "--data-dir", os.path.join(work, "systemd-data"), "--listen", "127.0.0.1:0",
                     "--metrics-listen", f"127.0.0.1:{metrics}"], work)
    check(wait_for(f"http://127.0.0.1:{metrics}/readyz", 60),
          "dxledgerd does not start with the shipped config file:\n" +
          open(os.path.join(work, "dxledgerd.log")).read())
    check(stop(process) == 0, "dxledgerd (systemd config) did not stop cleanly")


def ignored_by(patterns, path):
    """Whether Docker leaves `path` (or a directory above it) out of the context."""
    parts = path.split("/")
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        regex = re.escape(body.strip("/")).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*")
        regex = regex.replace(r"\?", "[^/]")
        for i in range(1, len(parts) + 1):
            if re.fullmatch(regex, "/".join(parts[:i])):
                result = not negate
                break
    return result


def docker_context():
    patterns = [line.strip() for line in open(os.path.join(SOURCE, ".dockerignore"))
                if line.strip() and not line.startswith("#")]
    for path in ["build/CMakeCache.txt", "build-asan/tests/x", ".git/HEAD",
                 "dxledger-data/admin.token", "dxledger-data/db/CURRENT", "tests/x/y.token",
                 "deploy/certs/server.key", "node_modules/x/package.json"]:
        check(ignored_by(patterns, path), f"{path} would be sent to the Docker daemon")
    for path in ["CMakeLists.txt", "service/main.cc", "deploy/Dockerfile",
                 "tests/fixtures/README.md", "proto/dxledger/v1/ledger.proto"]:
        check(not ignored_by(patterns, path), f"{path} would be left out of the build")
    # The context of this checkout, as Docker would send it.
    files, size = 0, 0
    for root, dirs, names in os.walk(SOURCE):
        rel = os.path.relpath(root, SOURCE)
        rel = "" if rel == "." else rel + "/"
        dirs[:] = [d for d in dirs if not ignored_by(patterns, rel + d)]
        for name in names:
            if not ignored_by(patterns, rel + name):
                files += 1
                size += os.path.getsize(os.path.join(root, name))
    print(f"docker build context: {files} files, {size / 1e6:.1f} MB")
    check(size < 20e6, f"the build context is {size / 1e6:.0f} MB")


def main():
    work = tempfile.mkdtemp(prefix="dxledger-deploy-")
    try:
        alert_metrics = lint_yaml()
        run_as_manifest(work, alert_metrics)
        systemd(work)
        docker_context()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("FAILED" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
