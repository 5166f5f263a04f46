"""What a deployment must have. Each county (every rendered overlay): probes, resources and
a locked-down security context on every service, disruption budgets, the replay Job. The
shared NATS: three servers on separate nodes that fsync every write, a disruption budget,
the jobs that declare and back up the streams."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import NATS, OVERLAYS, Manifest, named

SERVICES = ("registry", "activities", "credits", "notify")
each_county = pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)


@pytest.fixture
def docs(overlay: Path, render) -> list[Manifest]:
    """A county's rendered overlay."""
    return render(overlay)


@pytest.fixture
def shared(render) -> list[Manifest]:
    """The rendered shared NATS."""
    return render(NATS)


def pod_specs(docs: list[Manifest]) -> dict[str, dict[str, Any]]:
    """Every pod template's spec, by workload kind and name."""
    specs = {}
    for doc in docs:
        spec = doc.get("spec", {})
        if doc["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if "template" in spec:
            specs[f"{doc['kind']}/{doc['metadata']['name']}"] = spec["template"]["spec"]
    return specs


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@each_county
def test_one_deployment_per_service_runs_yanpei_serve(docs):
    deployments = {d["metadata"]["name"]: d for d in named(docs, "Deployment")}
    assert sorted(deployments) == sorted(SERVICES)
    for name, doc in deployments.items():
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith("ghcr.io/yanpei/yanpei:")
        assert container["command"] == ["yanpei", "serve", name]
        env = env_of(container)
        for var in ("YANPEI_NATS_URL", "YANPEI_DATABASE_URL"):
            assert env[var]["secretKeyRef"]["name"] == f"yanpei-{name}", var
        assert env["YANPEI_CONFIG_DIR"] == "/etc/yanpei"
        county = container["envFrom"][0]["configMapRef"]["name"]
        assert named(docs, "ConfigMap", "county")[0]["metadata"]["name"] == county


@each_county
def test_every_service_has_probes_resources_and_runs_locked_down(docs):
    for doc in named(docs, "Deployment"):
        name, pod = doc["metadata"]["name"], doc["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        ready, live = container["readinessProbe"], container["livenessProbe"]
        assert ready["exec"]["command"] == ["yanpei", "health", "--service", name]
        assert live["exec"]["command"] == ["yanpei", "probe", "live", "--service", name]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{name}: /tmp is not an emptyDir"


@each_county
def test_each_service_mounts_its_own_configuration(docs):
    wanted = {
        "activities": "/etc/yanpei/activities",
        "credits": "/etc/yanpei/credits",
        "notify": "/etc/yanpei/notify",
    }
    for name, folder in wanted.items():
        (doc,) = named(docs, "Deployment", name)
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert any(m["mountPath"].startswith(folder) for m in container["volumeMounts"]), name


@each_county
def test_every_pod_runs_as_the_service_account_without_a_token(docs, shared):
    for rendered in (docs, shared):
        _service_account_for_every_pod(rendered)


def _service_account_for_every_pod(docs: list[Manifest]) -> None:
    (account,) = named(docs, "ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    for where, pod in pod_specs(docs).items():
        assert pod["serviceAccountName"] == account["metadata"]["name"], where
        assert pod["securityContext"]["runAsNonRoot"] is True, where


def test_nats_is_a_cluster_of_three_on_separate_nodes(shared):
    (nats,) = named(shared, "StatefulSet", "nats")
    spec, pod = nats["spec"], nats["spec"]["template"]["spec"]
    assert spec["replicas"] == 3
    assert spec["volumeClaimTemplates"], "JetStream needs a persistent volume per server"
    (term,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert term["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"]
    preferred = pod["affinity"]["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ]
    assert preferred[0]["podAffinityTerm"]["topologyKey"] == "topology.kubernetes.io/zone"
    image = pod["containers"][0]["image"]
    version = tuple(int(n) for n in re.match(r"nats:(\d+)\.(\d+)", image).groups())
    assert version >= (2, 12), image
    headless = [s for s in named(shared, "Service") if s["spec"].get("clusterIP") == "None"]
    assert [s["metadata"]["name"] for s in headless] == [spec["serviceName"]]
    assert named(shared, "Service", "nats")


def test_nats_fsyncs_every_write_and_includes_the_generated_accounts(shared):
    (config,) = named(shared, "ConfigMap", "nats-config")
    text = re.sub(r"#.*", "", config["data"]["nats.conf"])
    assert re.search(r"jetstream\s*\{[^}]*sync_interval:\s*always", text)
    assert re.search(r"jetstream\s*\{[^}]*store_dir:\s*/data/", text)
    assert len(re.findall(r"nats://nats-\d\.nats-headless:6222", text)) == 3
    assert "include accounts.conf" in text
    (nats,) = named(shared, "StatefulSet", "nats")
    env = env_of(nats["spec"]["template"]["spec"]["containers"][0])
    assert "server_name: $SERVER_NAME" in text
    assert env["SERVER_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}, "unique names"
    (accounts,) = named(shared, "ConfigMap", "nats-accounts")
    assert "accounts.conf" in accounts["data"]


@each_county
def test_every_deployment_and_nats_have_a_disruption_budget(docs, shared):
    for rendered in (docs, shared):
        budgets = [d["spec"]["selector"] for d in named(rendered, "PodDisruptionBudget")]
        for doc in named(rendered, "Deployment") + named(rendered, "StatefulSet"):
            assert doc["spec"]["selector"] in budgets, doc["metadata"]["name"]
    (nats,) = named(shared, "PodDisruptionBudget", "nats")
    assert nats["spec"]["maxUnavailable"] == 1


@each_county
def test_a_county_replays_its_credits_on_purpose(docs):
    (replay,) = named(docs, "Job", "credits-replay")
    assert replay["spec"]["suspend"] is True, "a replay runs when an operator says so"
    command = replay["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[:4] == ["yanpei", "credits", "replay", "--rules"]
    assert command[4].startswith("/etc/yanpei/credits/") and command[-1] == "--dry-run"
    assert command[command.index("--county") + 1] == "$(YANPEI_COUNTY)"


def test_the_stream_jobs_declare_and_back_up_every_stream(shared):
    (declare,) = named(shared, "Job", "streams-declare")
    command = declare["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["yanpei", "streams", "declare"]
    (backup,) = named(shared, "CronJob", "stream-backup")
    assert re.fullmatch(r"\d+ \d+ \* \* \*", backup["spec"]["schedule"]), "daily"
    pod = backup["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert 'yanpei backup --out "/backup/$$(date' in pod["containers"][0]["command"][-1]
    claims = {
        v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert claims and claims <= {
        c["metadata"]["name"] for c in named(shared, "PersistentVolumeClaim")
    }


@each_county
def test_services_reach_only_nats_postgres_and_dns(docs, shared):
    (policy,) = named(docs, "NetworkPolicy", "yanpei-workloads")
    assert policy["spec"]["ingress"] == []
    ports = sorted(p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"])
    assert ports == [53, 53, 4222, 5432]
    (namespace,) = named(shared, "Namespace")
    nats_peer = policy["spec"]["egress"][0]["to"][0]["namespaceSelector"]["matchLabels"]
    assert nats_peer == {"kubernetes.io/metadata.name": namespace["metadata"]["name"]}
    (nats,) = named(shared, "NetworkPolicy", "nats")
    sources = [s for rule in nats["spec"]["ingress"] for s in rule["from"]]
    allowed = [s.get("namespaceSelector", {}).get("matchLabels") for s in sources]
    assert {"yanpei.cn/role": "agency-gateway"} in allowed
    (county_namespace,) = named(docs, "Namespace")
    assert any(
        labels and labels.items() <= county_namespace["metadata"]["labels"].items()
        for labels in allowed
    ), "NATS must accept the county's namespace"
