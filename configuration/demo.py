"""Demo data of configuration management: the shipped CI types and relationship types, and a CMDB of
about three hundred CIs behind the demo services (network, hosting, e-mail, ERP, the internet sales
platform and the service desk), linked to each other and to the catalogue's service components.

Deterministic (a fixed random seed) and idempotent: types are found by code, CIs by type and name,
links by their ends; only what is missing is created. Types go through the services. The CIs and
links are written in bulk, with a history row (actor: the configuration manager, reason
``seed_demo``) and an audit-trail entry for every row, so loading the demo stays fast.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F

from itsm.audit import append_history_rows
from itsm.models import Team, User
from itsm.records import ReferenceSequence, next_reference
from service_levels.models import Service, ServiceComponent

from . import demo_baselines, services
from .attributes import validate_attributes
from .choices import CIState, ImpactDirection, Importance, LicenceModel
from .models import CIType, ConfigurationItem, Relationship, RelationshipType, relationship_labels

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 20261121

# code, name, inverse name, acyclic, propagates impact, direction, description
RELATIONSHIP_TYPES: list[tuple[str, str, str, bool, bool, str, str]] = [
    (
        "runs-on",
        "runs on",
        "runs",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "Software on the (virtual) machine under it.",
    ),
    (
        "hosted-by",
        "hosted by",
        "hosts",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "A virtual machine on its host.",
    ),
    (
        "depends-on",
        "depends on",
        "is needed by",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "Needs the target to work.",
    ),
    (
        "stores-data-on",
        "stores data on",
        "holds data of",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "Its disks live there.",
    ),
    (
        "uplinks-to",
        "uplinks to",
        "serves",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "Network path towards the core.",
    ),
    (
        "connects-to",
        "connects to",
        "connects to",
        False,
        True,
        ImpactDirection.BOTH,
        "A peer link (redundant pairs); each end suffers when the other fails.",
    ),
    (
        "part-of",
        "part of",
        "consists of",
        True,
        True,
        ImpactDirection.TO_TARGET,
        "A building block of a larger CI, a service component or a service.",
    ),
    (
        "licensed-by",
        "licensed by",
        "licenses",
        True,
        True,
        ImpactDirection.TO_SOURCE,
        "Used under the licence; it stops when the licence lapses.",
    ),
    (
        "backed-up-by",
        "backed up by",
        "backs up",
        True,
        False,
        ImpactDirection.TO_SOURCE,
        "Its data is copied there.",
    ),
    (
        "documented-by",
        "documented by",
        "documents",
        True,
        False,
        ImpactDirection.TO_SOURCE,
        "Its runbook or manual.",
    ),
]

ENVIRONMENTS = ["production", "test", "development"]
OPERATING_SYSTEMS = ["Rocky Linux 9", "Ubuntu 22.04", "Windows Server 2022", "VMware ESXi 8"]


def _f(key: str, label: str, kind: str = "text", required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": label, "type": kind, "required": required, **extra}


# code, name, controlled, naming rule, naming help, allowed relationship codes, schema, definition
CI_TYPES: list[tuple[str, str, bool, str, str, list[str], list[dict[str, Any]], str]] = [
    (
        "business-component",
        "Business service component",
        False,
        "",
        "",
        ["part-of", "depends-on", "documented-by"],
        [
            _f("business_owner", "Business owner", required=True),
            _f("tier", "Service tier", "choice", choices=["gold", "silver", "bronze"]),
        ],
        "A part of a catalogue service as the business sees it (e.g. the finance ledger of the ERP); it "
        "ties the technical CIs below it to a service component of the catalogue.",
    ),
    (
        "application",
        "Application",
        True,
        "",
        "",
        ["runs-on", "depends-on", "part-of", "licensed-by", "documented-by", "backed-up-by", "hosted-by"],
        [
            _f("vendor", "Vendor"),
            _f("product", "Product", required=True),
            _f("environment", "Environment", "choice", True, choices=ENVIRONMENTS),
            _f("url", "URL"),
        ],
        "Installed or developed software that delivers a function to users or other applications; "
        "one CI per installation and environment.",
    ),
    (
        "database",
        "Database",
        True,
        r"^db-[a-z0-9-]+$",
        "db-<system>-<role>, lower case, e.g. db-erp-primary",
        ["runs-on", "stores-data-on", "depends-on", "part-of", "licensed-by", "backed-up-by", "connects-to"],
        [
            _f(
                "engine",
                "Engine",
                "choice",
                True,
                choices=["PostgreSQL", "MySQL", "Oracle", "SQL Server", "Redis"],
            ),
            _f("engine_version", "Engine version"),
            _f("size_gb", "Size (GB)", "number"),
            _f("backup_policy", "Backup policy", "choice", choices=["hourly", "daily", "weekly"]),
        ],
        "A database instance (one engine process or cluster member) with the data it holds.",
    ),
    (
        "server",
        "Physical server",
        True,
        r"^srv-[a-z0-9-]+$",
        "srv-<role>-<nn>, lower case, e.g. srv-esx-01",
        ["uplinks-to", "stores-data-on", "part-of", "licensed-by", "documented-by", "connects-to"],
        [
            _f("manufacturer", "Manufacturer", required=True),
            _f("model", "Model"),
            _f("serial_number", "Serial number", required=True),
            _f("cpu_cores", "CPU cores", "number"),
            _f("ram_gb", "RAM (GB)", "number"),
            _f("operating_system", "Operating system", "choice", choices=OPERATING_SYSTEMS),
            _f("rack", "Rack position"),
            _f("warranty_until", "Warranty until", "date"),
        ],
        "A physical machine in the data centre, from delivery to disposal; hypervisor hosts included.",
    ),
    (
        "virtual-machine",
        "Virtual machine",
        True,
        r"^vm-[a-z0-9-]+$",
        "vm-<system>-<role>-<nn>, lower case, e.g. vm-mail-mta-01",
        ["hosted-by", "stores-data-on", "uplinks-to", "part-of", "licensed-by", "backed-up-by"],
        [
            _f("hostname", "Host name", required=True),
            _f("operating_system", "Operating system", "choice", True, choices=OPERATING_SYSTEMS),
            _f("vcpu", "vCPUs", "number"),
            _f("ram_gb", "RAM (GB)", "number"),
            _f("disk_gb", "Disk (GB)", "number"),
            _f("ip_address", "IP address"),
            _f("environment", "Environment", "choice", True, choices=ENVIRONMENTS),
        ],
        "A virtual machine on the virtualisation cluster; the guest operating system is part of it.",
    ),
    (
        "network-device",
        "Network device",
        True,
        r"^(sw|fw|rt|vpn|wlc|ap|lb)-[a-z0-9-]+$",
        "<kind>-<place>-<nn> with kind sw, fw, rt, vpn, wlc, ap or lb, e.g. sw-core-01",
        ["uplinks-to", "connects-to", "depends-on", "part-of", "licensed-by", "documented-by"],
        [
            _f(
                "role",
                "Role",
                "choice",
                True,
                choices=[
                    "core switch",
                    "access switch",
                    "firewall",
                    "router",
                    "VPN gateway",
                    "wireless controller",
                    "access point",
                    "load balancer",
                ],
            ),
            _f("manufacturer", "Manufacturer", required=True),
            _f("model", "Model"),
            _f("serial_number", "Serial number"),
            _f("management_ip", "Management IP"),
            _f("firmware", "Firmware"),
        ],
        "A switch, router, firewall, VPN gateway, wireless controller or access point, or load balancer.",
    ),
    (
        "storage",
        "Storage",
        True,
        r"^st-[a-z0-9-]+$",
        "st-<role>-<nn>, lower case, e.g. st-san-01",
        ["uplinks-to", "connects-to", "part-of", "documented-by"],
        [
            _f("manufacturer", "Manufacturer", required=True),
            _f("model", "Model"),
            _f("capacity_tb", "Usable capacity (TB)", "number", True),
            _f("raid", "Protection", "choice", choices=["RAID 6", "RAID 10", "erasure coding"]),
            _f("serial_number", "Serial number"),
        ],
        "A storage array or backup target and the capacity it provides.",
    ),
    (
        "licence",
        "Software licence",
        False,
        "",
        "",
        ["documented-by"],
        [
            _f("product", "Product", required=True),
            _f("vendor", "Vendor"),
            _f("metric", "Licence metric", "choice", choices=["per core", "per user", "per device", "site"]),
            _f("renewal_date", "Renewal date", "date"),
        ],
        "An entitlement to use software; the licence key itself is kept in the definitive media library.",
    ),
    (
        "document",
        "Document",
        False,
        "",
        "",
        [],
        [
            _f("document_code", "Document code"),
            _f("location", "Where it is kept", required=True),
        ],
        "A runbook, design or manual that the operation of other CIs depends on (master copy referenced).",
    ),
    (
        "supplier-service",
        "Supplier-provided service",
        False,
        "",
        "",
        ["part-of", "depends-on", "documented-by"],
        [
            _f("supplier", "Supplier", required=True),
            _f("support_hours", "Support hours"),
            _f("service_level", "Agreed service level"),
        ],
        "A service bought from a supplier and used as a building block (uplinks, payment, telephony).",
    ),
]


@dataclass
class CISpec:
    name: str
    type_code: str
    attributes: dict[str, Any]
    description: str = ""
    state: str = CIState.LIVE
    importance: str = Importance.MEDIUM
    version: str = ""
    location: str = ""
    owner: str = "config.manager"
    team: str = "infrastructure"
    supplier: str = ""
    contract: str = ""
    asset_tag: str = ""
    licence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """The CMDB to build: CIs by name, links between CIs, and links from CIs to the catalogue."""

    cis: dict[str, CISpec] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # source, relationship, target
    component_links: list[tuple[str, str, str, str]] = field(default_factory=list)  # source, rel, svc, comp
    service_links: list[tuple[str, str, str]] = field(default_factory=list)  # source, rel, service

    def add(self, spec: CISpec) -> str:
        self.cis[spec.name] = spec
        return spec.name

    def link(self, source: str, relationship: str, target: str) -> None:
        self.links.append((source, relationship, target))


def _plan(rng: random.Random, *, compact: bool = False) -> Plan:
    plan = Plan()

    def serial() -> str:
        return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))

    def tag() -> str:
        return f"ZBX-{rng.randint(10000, 99999)}"

    # Network: core pair, firewalls, routers, VPN, wireless, access switches, access points, load balancers.
    for n in (1, 2):
        plan.add(
            CISpec(
                f"sw-core-0{n}",
                "network-device",
                {
                    "role": "core switch",
                    "manufacturer": "Huawei",
                    "model": "CloudEngine S12700E",
                    "serial_number": serial(),
                    "management_ip": f"10.0.0.{n}",
                    "firmware": "V200R022",
                },
                "Core switch of the data centre and the head office.",
                importance=Importance.CRITICAL,
                location=f"DC1 rack A{n}",
                owner="cab",
                asset_tag=tag(),
            )
        )
        plan.component_links.append((f"sw-core-0{n}", "part-of", "network", "Core switches"))
    plan.link("sw-core-02", "connects-to", "sw-core-01")
    for n in (1, 2):
        plan.add(
            CISpec(
                f"fw-edge-0{n}",
                "network-device",
                {
                    "role": "firewall",
                    "manufacturer": "Hillstone",
                    "model": "SG-6000-E5760",
                    "serial_number": serial(),
                },
                "Edge firewall between the internet uplinks and the core.",
                importance=Importance.CRITICAL,
                location=f"DC1 rack A{n}",
                owner="cab",
            )
        )
        plan.add(
            CISpec(
                f"rt-uplink-0{n}",
                "network-device",
                {"role": "router", "manufacturer": "H3C", "model": "SR6602-X1", "serial_number": serial()},
                "Border router of an internet uplink.",
                importance=Importance.HIGH,
                location=f"DC1 rack A{n}",
                owner="cab",
            )
        )
        plan.link(f"fw-edge-0{n}", "uplinks-to", f"sw-core-0{n}")
        plan.link(f"fw-edge-0{n}", "depends-on", f"rt-uplink-0{n}")
        plan.link(f"rt-uplink-0{n}", "uplinks-to", f"sw-core-0{n}")
        plan.component_links.append((f"rt-uplink-0{n}", "part-of", "network", "Internet uplinks"))
    plan.link("fw-edge-02", "connects-to", "fw-edge-01")
    for n, (carrier, contract) in enumerate(
        [("China Telecom", "CT-2025-118"), ("China Unicom", "CU-2025-072")], 1
    ):
        name = plan.add(
            CISpec(
                f"{carrier} 1 Gbit/s internet uplink",
                "supplier-service",
                {"supplier": carrier, "support_hours": "24×7", "service_level": "99.9 %, 4 h repair"},  # noqa: RUF001
                "Dedicated internet access line.",
                importance=Importance.HIGH,
                owner="supplier.manager",
                supplier=carrier,
                contract=contract,
            )
        )
        plan.link(f"rt-uplink-0{n}", "depends-on", name)
    plan.add(
        CISpec(
            "vpn-hq-01",
            "network-device",
            {"role": "VPN gateway", "manufacturer": "Sangfor", "model": "M5500", "serial_number": serial()},
            "SSL VPN for remote staff and partners.",
            importance=Importance.HIGH,
            location="DC1 rack A2",
            owner="cab",
        )
    )
    plan.link("vpn-hq-01", "uplinks-to", "fw-edge-01")
    plan.component_links.append(("vpn-hq-01", "part-of", "network", "VPN gateway"))
    plan.add(
        CISpec(
            "wlc-hq-01",
            "network-device",
            {"role": "wireless controller", "manufacturer": "Huawei", "model": "AC6800V"},
            "Controls the office access points.",
            location="HQ floor 1 comms room",
            owner="cab",
        )
    )
    plan.link("wlc-hq-01", "uplinks-to", "sw-core-01")
    for floor in range(1, 9):
        switch = plan.add(
            CISpec(
                f"sw-hq-f{floor}-01",
                "network-device",
                {
                    "role": "access switch",
                    "manufacturer": "Huawei",
                    "model": "S5735-L48P4X",
                    "serial_number": serial(),
                    "management_ip": f"10.0.{10 + floor}.2",
                },
                f"Access switch of head office floor {floor}.",
                location=f"HQ floor {floor} comms room",
                owner="cab",
                asset_tag=tag(),
            )
        )
        plan.link(switch, "uplinks-to", "sw-core-01")
        plan.link(switch, "uplinks-to", "sw-core-02")
        for n in range(1, 5):
            ap = plan.add(
                CISpec(
                    f"ap-hq-f{floor}-{n:02d}",
                    "network-device",
                    {"role": "access point", "manufacturer": "Huawei", "model": "AirEngine 5761"},
                    f"Wi-Fi access point, floor {floor}.",
                    importance=Importance.LOW,
                    location=f"HQ floor {floor}",
                    owner="cab",
                )
            )
            plan.link(ap, "uplinks-to", switch)
            plan.link(ap, "depends-on", "wlc-hq-01")
    for n in range(1, 5):
        switch = plan.add(
            CISpec(
                f"sw-dc1-tor-{n:02d}",
                "network-device",
                {
                    "role": "access switch",
                    "manufacturer": "Huawei",
                    "model": "CE6881-48S6CQ",
                    "serial_number": serial(),
                },
                "Top-of-rack switch in the data centre.",
                importance=Importance.HIGH,
                location=f"DC1 rack B{n}",
                owner="cab",
            )
        )
        plan.link(switch, "uplinks-to", "sw-core-01")
        plan.link(switch, "uplinks-to", "sw-core-02")
    for n in (1, 2):
        plan.add(
            CISpec(
                f"lb-web-0{n}",
                "network-device",
                {
                    "role": "load balancer",
                    "manufacturer": "F5",
                    "model": "BIG-IP i5800",
                    "serial_number": serial(),
                },
                "Load balancer in front of the web shop and the webmail.",
                importance=Importance.HIGH,
                location=f"DC1 rack B{n}",
                owner="cab",
            )
        )
        plan.link(f"lb-web-0{n}", "uplinks-to", f"sw-dc1-tor-0{n}")
    plan.link("lb-web-02", "connects-to", "lb-web-01")
    for n in (1, 2):
        plan.link(f"lb-web-0{n}", "depends-on", f"fw-edge-0{n}")

    # Hosting: hypervisor hosts, storage, backup.
    plan.add(
        CISpec(
            "VMware vSphere Enterprise Plus",
            "licence",
            {
                "product": "vSphere Enterprise Plus",
                "vendor": "Broadcom",
                "metric": "per core",
                "renewal_date": "2027-03-31",
            },
            "Subscription for the hypervisor hosts.",
            importance=Importance.HIGH,
            licence={"licence_model": LicenceModel.SUBSCRIPTION, "licence_quantity": 256},
        )
    )
    for n in (1, 2):
        plan.add(
            CISpec(
                f"st-san-0{n}",
                "storage",
                {
                    "manufacturer": "Huawei",
                    "model": "OceanStor 6800 V5",
                    "capacity_tb": 180,
                    "raid": "RAID 6",
                    "serial_number": serial(),
                },
                "Primary storage array of the virtualisation cluster.",
                importance=Importance.CRITICAL,
                location=f"DC1 rack C{n}",
                asset_tag=tag(),
            )
        )
        plan.link(f"st-san-0{n}", "uplinks-to", f"sw-dc1-tor-0{n + 2}")
        plan.component_links.append((f"st-san-0{n}", "part-of", "hosting", "Storage array"))
    plan.link("st-san-02", "connects-to", "st-san-01")
    hosts = []
    for n in range(1, 9):
        host = plan.add(
            CISpec(
                f"srv-esx-{n:02d}",
                "server",
                {
                    "manufacturer": "Inspur",
                    "model": "NF5280M6",
                    "serial_number": serial(),
                    "cpu_cores": 64,
                    "ram_gb": 1024,
                    "operating_system": "VMware ESXi 8",
                    "rack": f"DC1 B{1 + (n - 1) // 4} U{10 + 2 * ((n - 1) % 4)}",
                    "warranty_until": f"{2027 + n % 3}-06-30",
                },
                "Hypervisor host of the virtualisation cluster.",
                importance=Importance.HIGH,
                version="ESXi 8.0 U3",
                location=f"DC1 rack B{1 + (n - 1) // 4}",
                asset_tag=tag(),
            )
        )
        hosts.append(host)
        plan.link(host, "uplinks-to", f"sw-dc1-tor-0{1 + (n - 1) // 4}")
        plan.link(host, "uplinks-to", f"sw-dc1-tor-0{2 + (n - 1) // 4}")
        plan.link(host, "stores-data-on", "st-san-01")
        plan.link(host, "licensed-by", "VMware vSphere Enterprise Plus")
        plan.component_links.append((host, "part-of", "hosting", "Virtualisation cluster"))
    plan.add(
        CISpec(
            "srv-backup-01",
            "server",
            {
                "manufacturer": "Inspur",
                "model": "NF5466M6",
                "serial_number": serial(),
                "cpu_cores": 32,
                "ram_gb": 256,
                "operating_system": "Rocky Linux 9",
                "rack": "DC1 C3 U20",
            },
            "Backup server with its disk library.",
            importance=Importance.HIGH,
            location="DC1 rack C3",
        )
    )
    plan.add(
        CISpec(
            "st-backup-01",
            "storage",
            {
                "manufacturer": "Huawei",
                "model": "OceanProtect X8000",
                "capacity_tb": 400,
                "raid": "erasure coding",
            },
            "Backup target (disk library).",
            importance=Importance.HIGH,
            location="DC1 rack C3",
        )
    )
    plan.link("srv-backup-01", "stores-data-on", "st-backup-01")
    plan.link("srv-backup-01", "uplinks-to", "sw-dc1-tor-03")
    plan.link("st-backup-01", "uplinks-to", "sw-dc1-tor-03")
    plan.add(
        CISpec(
            "Veeam Backup & Replication",
            "application",
            {"vendor": "Veeam", "product": "Backup & Replication", "environment": "production"},
            "Backs up every production virtual machine nightly.",
            importance=Importance.HIGH,
            version="12.2",
            licence={"licence_model": LicenceModel.SUBSCRIPTION, "licence_quantity": 150},
        )
    )
    plan.add(
        CISpec(
            "vm-backup-proxy-01",
            "virtual-machine",
            {
                "hostname": "backup-proxy-01",
                "operating_system": "Windows Server 2022",
                "environment": "production",
            },
            importance=Importance.MEDIUM,
        )
    )
    plan.link("vm-backup-proxy-01", "hosted-by", "srv-esx-08")
    plan.link("Veeam Backup & Replication", "runs-on", "vm-backup-proxy-01")
    plan.link("Veeam Backup & Replication", "runs-on", "srv-backup-01")
    plan.component_links.append(("Veeam Backup & Replication", "part-of", "hosting", "Backup"))
    plan.component_links.append(("srv-backup-01", "part-of", "hosting", "Backup"))

    # Licences and documents used below.
    plan.add(
        CISpec(
            "Windows Server 2022 Datacenter",
            "licence",
            {"product": "Windows Server 2022 Datacenter", "vendor": "Microsoft", "metric": "per core"},
            "Covers every Windows guest on the cluster.",
            licence={"licence_model": LicenceModel.PERPETUAL, "licence_quantity": 128},
        )
    )
    plan.add(
        CISpec(
            "Oracle Database Enterprise Edition",
            "licence",
            {
                "product": "Oracle Database EE",
                "vendor": "Oracle",
                "metric": "per core",
                "renewal_date": "2026-12-31",
            },
            "Processor licences of the ERP database.",
            importance=Importance.HIGH,
            licence={"licence_model": LicenceModel.PERPETUAL, "licence_quantity": 16},
        )
    )
    plan.add(
        CISpec(
            "Kingdee EAS ERP licence",
            "licence",
            {
                "product": "Kingdee EAS Cloud",
                "vendor": "Kingdee",
                "metric": "per user",
                "renewal_date": "2027-01-31",
            },
            "Named-user licences of the ERP.",
            importance=Importance.HIGH,
            licence={"licence_model": LicenceModel.SUBSCRIPTION, "licence_quantity": 400},
        )
    )

    vm_count = {"n": 0}

    def vm(
        name: str,
        os: str = "Rocky Linux 9",
        environment: str = "production",
        importance: str = Importance.MEDIUM,
        vcpu: int = 4,
        ram: int = 16,
        state: str = CIState.LIVE,
        team: str = "infrastructure",
    ) -> str:
        vm_count["n"] += 1
        host = hosts[vm_count["n"] % len(hosts)]
        name = plan.add(
            CISpec(
                name,
                "virtual-machine",
                {
                    "hostname": name.removeprefix("vm-"),
                    "operating_system": os,
                    "vcpu": vcpu,
                    "ram_gb": ram,
                    "disk_gb": rng.choice([80, 120, 200, 500]),
                    "ip_address": f"10.10.{vm_count['n'] // 200}.{vm_count['n'] % 200 + 20}",
                    "environment": environment,
                },
                state=state,
                importance=importance,
                team=team,
            )
        )
        if state != CIState.PLANNED:
            plan.link(name, "hosted-by", host)
            plan.link(name, "stores-data-on", "st-san-01" if vm_count["n"] % 3 else "st-san-02")
            if state == CIState.LIVE and environment == "production":
                plan.link(name, "backed-up-by", "Veeam Backup & Replication")
        if os.startswith("Windows"):
            plan.link(name, "licensed-by", "Windows Server 2022 Datacenter")
        return name

    def app(
        name: str,
        product: str,
        vendor: str,
        on: list[str],
        part_of: str,
        importance: str = Importance.MEDIUM,
        version: str = "",
        team: str = "app-support",
        owner: str = "resolver",
        url: str = "",
        environment: str = "production",
        state: str = CIState.LIVE,
    ) -> str:
        attributes = {"vendor": vendor, "product": product, "environment": environment}
        if url:
            attributes["url"] = url
        name = plan.add(
            CISpec(
                name,
                "application",
                attributes,
                importance=importance,
                version=version,
                team=team,
                owner=owner,
                state=state,
            )
        )
        for machine in on:
            plan.link(name, "runs-on", machine)
        if part_of:
            plan.link(name, "part-of", part_of)
        return name

    def component(name: str, service: str, component_name: str, owner: str, tier: str = "silver") -> str:
        name = plan.add(
            CISpec(
                name,
                "business-component",
                {"business_owner": owner, "tier": tier},
                f"The {component_name.lower()} of the {service} service.",
                importance=Importance.HIGH if tier == "gold" else Importance.MEDIUM,
                team="app-support",
                owner="resolver",
            )
        )
        plan.component_links.append((name, "part-of", service, component_name))
        return name

    def runbook(code: str, title: str, subject: str) -> None:
        name = plan.add(
            CISpec(
                title,
                "document",
                {"document_code": code, "location": f"DMS /itsm/runbooks/{code}"},
                owner="config.manager",
                team="infrastructure",
            )
        )
        plan.link(subject, "documented-by", name)

    # Shared infrastructure VMs.
    for n in (1, 2):
        dc = vm(f"vm-ad-dc-0{n}", "Windows Server 2022", importance=Importance.CRITICAL, ram=8)
        app(
            f"Active Directory domain controller {n}",
            "Active Directory Domain Services",
            "Microsoft",
            [dc],
            "",
            importance=Importance.CRITICAL,
            team="infrastructure",
            owner="cab",
        )
    for n in (1, 2):
        dns = vm(f"vm-dns-0{n}", ram=4, importance=Importance.HIGH)
        app(
            f"Internal DNS {n}",
            "BIND",
            "ISC",
            [dns],
            "",
            importance=Importance.HIGH,
            team="infrastructure",
            owner="cab",
        )
    for name in ["vm-monitor-01", "vm-log-01", "vm-log-02", "vm-jump-01", "vm-ntp-01", "vm-pki-01"]:
        vm(name, ram=8)
    monitoring = app(
        "Zabbix monitoring",
        "Zabbix",
        "Zabbix",
        ["vm-monitor-01"],
        "",
        version="7.0",
        team="infrastructure",
        owner="cab",
    )
    app(
        "Log platform",
        "OpenSearch",
        "OpenSearch",
        ["vm-log-01", "vm-log-02"],
        "",
        version="2.15",
        team="infrastructure",
    )
    for n in range(1, 5):
        vm(f"vm-files-0{n}", "Windows Server 2022", ram=32)
    app(
        "Department file shares",
        "Windows file server",
        "Microsoft",
        [f"vm-files-0{n}" for n in range(1, 5)],
        "",
        team="infrastructure",
        owner="config.manager",
    )

    # E-mail.
    mta = component("E-mail: mail transfer", "email", "Mail transfer agents", "IT operations")
    boxes = component("E-mail: mailboxes", "email", "Mailbox storage", "IT operations", "gold")
    web = component("E-mail: webmail", "email", "Webmail", "IT operations")
    mta_vms = [vm(f"vm-mail-mta-0{n}", ram=8) for n in (1, 2)]
    app(
        "Postfix MTA",
        "Postfix",
        "Postfix",
        mta_vms,
        mta,
        version="3.8",
        importance=Importance.HIGH,
        team="infrastructure",
    )
    app("Anti-spam gateway", "Rspamd", "Rspamd", mta_vms, mta, version="3.9", team="infrastructure")
    store_vms = [vm(f"vm-mail-store-0{n}", ram=64, vcpu=16, importance=Importance.HIGH) for n in (1, 2, 3)]
    dovecot = app(
        "Dovecot mailbox cluster",
        "Dovecot",
        "Open-Xchange",
        store_vms,
        boxes,
        version="2.3",
        importance=Importance.CRITICAL,
        team="infrastructure",
    )
    for store in store_vms:
        plan.link(store, "stores-data-on", "st-san-02")
    webmail_vms = [vm(f"vm-webmail-0{n}") for n in (1, 2)]
    app(
        "Roundcube webmail",
        "Roundcube",
        "Roundcube",
        webmail_vms,
        web,
        version="1.6",
        url="https://mail.example.com",
        team="app-support",
    )
    plan.link("Roundcube webmail", "depends-on", dovecot)
    plan.link("Roundcube webmail", "depends-on", "lb-web-01")
    plan.link("Postfix MTA", "depends-on", "Active Directory domain controller 1")
    plan.link(dovecot, "depends-on", "Active Directory domain controller 1")
    runbook("RB-MAIL-01", "E-mail operations runbook", dovecot)

    # ERP.
    ledger = component("ERP: finance ledger", "erp", "Finance ledger", "Finance department", "gold")
    inventory = component("ERP: inventory and orders", "erp", "Inventory and orders", "Logistics", "gold")
    db_component = component("ERP: database cluster", "erp", "Database cluster", "IT operations", "gold")
    db_vms = [vm(f"vm-erp-db-0{n}", ram=256, vcpu=32, importance=Importance.CRITICAL) for n in (1, 2)]
    for role, machine in zip(["primary", "standby"], db_vms, strict=True):
        name = plan.add(
            CISpec(
                f"db-erp-{role}",
                "database",
                {"engine": "Oracle", "engine_version": "19c", "size_gb": 2400, "backup_policy": "hourly"},
                f"ERP database, {role} of the Data Guard pair.",
                importance=Importance.CRITICAL,
                version="19.23",
                team="infrastructure",
            )
        )
        plan.link(name, "runs-on", machine)
        plan.link(name, "stores-data-on", "st-san-01")
        plan.link(name, "licensed-by", "Oracle Database Enterprise Edition")
        plan.link(name, "part-of", db_component)
    plan.link("db-erp-standby", "connects-to", "db-erp-primary")
    erp_vms = [
        vm(f"vm-erp-app-0{n}", "Windows Server 2022", ram=32, vcpu=8, importance=Importance.HIGH)
        for n in range(1, 5)
    ]
    for module, target in [("Finance ledger", ledger), ("Inventory and orders", inventory)]:
        name = app(
            f"Kingdee EAS {module.lower()}",
            "Kingdee EAS Cloud",
            "Kingdee",
            erp_vms,
            target,
            version="8.8",
            importance=Importance.CRITICAL if module == "Finance ledger" else Importance.HIGH,
        )
        plan.link(name, "depends-on", "db-erp-primary")
        plan.link(name, "licensed-by", "Kingdee EAS ERP licence")
        plan.link(name, "depends-on", "Active Directory domain controller 1")
    runbook("RB-ERP-01", "ERP operations runbook", "Kingdee EAS finance ledger")
    # ERP test environment: being rebuilt.
    test_vm = vm("vm-erp-test-01", "Windows Server 2022", environment="test", state=CIState.IN_TEST, ram=16)
    app(
        "Kingdee EAS test environment",
        "Kingdee EAS Cloud",
        "Kingdee",
        [test_vm],
        "",
        version="8.9",
        environment="test",
        state=CIState.IN_TEST,
        importance=Importance.LOW,
    )

    # Internet sales platform.
    shop = component("Sales: web shop", "sales-platform", "Web shop", "Retail customers", "gold")
    order_api = component("Sales: order API", "sales-platform", "Order API", "Retail customers", "gold")
    payment = component(
        "Sales: payment", "sales-platform", "Payment gateway (supplier)", "Finance department"
    )
    shop_vms = [vm(f"vm-shop-web-0{n}", ram=16, importance=Importance.HIGH) for n in range(1, 7)]
    api_vms = [vm(f"vm-shop-api-0{n}", ram=16, importance=Importance.HIGH) for n in range(1, 4)]
    cache_vms = [vm(f"vm-shop-cache-0{n}", ram=32) for n in (1, 2)]
    db_vms = [vm(f"vm-shop-db-0{n}", ram=128, vcpu=16, importance=Importance.CRITICAL) for n in (1, 2)]
    for n, machine in enumerate(db_vms, 1):
        name = plan.add(
            CISpec(
                f"db-shop-0{n}",
                "database",
                {"engine": "PostgreSQL", "engine_version": "16", "size_gb": 900, "backup_policy": "hourly"},
                "Order and catalogue database of the web shop.",
                importance=Importance.CRITICAL,
                version="16.4",
                team="infrastructure",
            )
        )
        plan.link(name, "runs-on", machine)
        plan.link(name, "stores-data-on", "st-san-02")
    plan.link("db-shop-02", "connects-to", "db-shop-01")
    for n, machine in enumerate(cache_vms, 1):
        name = plan.add(
            CISpec(
                f"db-shop-cache-0{n}",
                "database",
                {"engine": "Redis", "engine_version": "7.2", "size_gb": 24, "backup_policy": "daily"},
                "Session and catalogue cache.",
                team="infrastructure",
            )
        )
        plan.link(name, "runs-on", machine)
    gateway = plan.add(
        CISpec(
            "UnionPay online payment",
            "supplier-service",
            {"supplier": "China UnionPay", "support_hours": "24×7", "service_level": "99.95 %"},  # noqa: RUF001
            "Card and QR payments of the web shop.",
            importance=Importance.CRITICAL,
            owner="supplier.manager",
            team="app-support",
            supplier="China UnionPay",
            contract="CUP-2024-0031",
        )
    )
    plan.link(gateway, "part-of", payment)
    api = app(
        "Order API",
        "Order service (in-house)",
        "In-house",
        api_vms,
        order_api,
        version="4.12.0",
        importance=Importance.CRITICAL,
    )
    plan.link(api, "depends-on", "db-shop-01")
    plan.link(api, "depends-on", "Kingdee EAS inventory and orders")
    plan.link(api, "depends-on", gateway)
    web_shop = app(
        "Web shop front end",
        "Web shop (in-house)",
        "In-house",
        shop_vms,
        shop,
        version="4.12.0",
        importance=Importance.CRITICAL,
        url="https://shop.example.com",
    )
    plan.link(web_shop, "depends-on", api)
    plan.link(web_shop, "depends-on", "db-shop-cache-01")
    plan.link(web_shop, "depends-on", "lb-web-01")
    runbook("RB-SHOP-01", "Web shop operations runbook", web_shop)
    # The next release's staging VMs are planned and being built.
    vm("vm-shop-web-07", state=CIState.PLANNED)
    vm("vm-shop-web-08", state=CIState.IN_BUILD)

    # Service desk.
    phone = component("Service desk: phone line", "service-desk", "Phone line", "Service desk")
    portal = component("Service desk: portal", "service-desk", "Self-service portal", "Service desk")
    telephony = plan.add(
        CISpec(
            "400 hotline (China Telecom)",
            "supplier-service",
            {"supplier": "China Telecom", "support_hours": "24×7", "service_level": "99.9 %"},  # noqa: RUF001
            "The 400-820-0000 number with its call routing.",
            importance=Importance.HIGH,
            owner="supplier.manager",
            team="service-desk",
            supplier="China Telecom",
            contract="CT-2025-200",
        )
    )
    plan.link(telephony, "part-of", phone)
    itsm_vms = [vm(f"vm-itsm-0{n}", ram=16) for n in (1, 2)]
    itsm = app(
        "ITSM portal",
        "ITSM (this product)",
        "In-house",
        itsm_vms,
        portal,
        version="1.0",
        importance=Importance.HIGH,
        team="service-desk",
        owner="incident.manager",
        url="https://itsm.example.com",
    )
    plan.link(itsm, "depends-on", "Postfix MTA")
    plan.link(monitoring, "depends-on", "Postfix MTA")

    # Development and test machines, and the old file server that was replaced.
    for n in range(1, 5 if compact else 81):
        vm(
            f"vm-dev-{n:02d}",
            rng.choice(["Rocky Linux 9", "Ubuntu 22.04", "Windows Server 2022"]),
            environment=rng.choice(["test", "development"]),
            importance=Importance.LOW,
            ram=rng.choice([4, 8, 16]),
            team="app-support",
        )
    for n in range(1, 3 if compact else 21):
        vm(
            f"vm-ci-runner-{n:02d}",
            "Ubuntu 22.04",
            environment="development",
            importance=Importance.LOW,
            team="app-support",
        )
    vm("vm-files-old-01", "Windows Server 2022", state=CIState.RETIRED, importance=Importance.LOW)
    return plan


def _reserve_references(count: int) -> int:
    """The first of ``count`` consecutive CI reference numbers, taken in one go (the sequence is
    bookkeeping, not an audited model)."""
    first = int(next_reference(ConfigurationItem.reference_prefix).split("-")[1])
    if count > 1:
        ReferenceSequence.objects.filter(prefix=ConfigurationItem.reference_prefix).update(
            last_value=F("last_value") + (count - 1)
        )
    return first


def _seed_types(actor: User) -> tuple[dict[str, CIType], dict[str, RelationshipType], int]:
    created = 0
    relationship_types = {t.code: t for t in RelationshipType.objects.all()}
    for code, name, inverse, acyclic, propagates, direction, description in RELATIONSHIP_TYPES:
        if code not in relationship_types:
            relationship_types[code] = services.relationshiptype_create(
                actor=actor,
                data={
                    "code": code,
                    "name": name,
                    "inverse_name": inverse,
                    "acyclic": acyclic,
                    "propagates_impact": propagates,
                    "impact_direction": direction,
                    "description": description,
                },
            )
            created += 1
    ci_types = {t.code: t for t in CIType.objects.all()}
    for code, name, controlled, rule, rule_help, allowed, schema, definition in CI_TYPES:
        if code not in ci_types:
            ci_types[code] = services.citype_create(
                actor=actor,
                data={
                    "code": code,
                    "name": name,
                    "description": definition,
                    "attribute_schema": schema,
                    "change_controlled": controlled,
                    "naming_rule": rule,
                    "naming_rule_help": rule_help,
                    "owner": actor,
                },
                allowed_relationship_types=[relationship_types[c] for c in allowed],
            )
            created += 1
    return ci_types, relationship_types, created


def _bulk_create(model: type[Any], objects: list[Any], *, actor: User, at: datetime.datetime) -> None:
    """Insert rows with their history rows (actor, reason ``seed_demo``) and audit-trail entries."""
    if not objects:
        return
    model.objects.bulk_create(objects, batch_size=500)
    rows = model.history.bulk_history_create(
        objects, default_user=actor, default_change_reason="seed_demo", default_date=at, batch_size=500
    )
    append_history_rows(rows)


@transaction.atomic
def seed(*, users: dict[str, User], today: datetime.date, compact: bool = False) -> dict[str, int]:
    actor = users["config.manager"]
    at = datetime.datetime.combine(today - datetime.timedelta(days=45), datetime.time(9, 30), tzinfo=SHANGHAI)
    ci_types, relationship_types, types_created = _seed_types(actor)
    plan = _plan(random.Random(SEED), compact=compact)  # noqa: S311 - demo data, not security

    existing = {
        (type_id, name): ci
        for ci in ConfigurationItem.objects.filter(name__in=list(plan.cis))
        for type_id, name in [(ci.ci_type_id, ci.name)]
    }
    teams = {team.code: team for team in Team.objects.all()}
    missing = [spec for spec in plan.cis.values() if (ci_types[spec.type_code].pk, spec.name) not in existing]
    first = _reserve_references(len(missing)) if missing else 0
    new_cis = []
    for offset, spec in enumerate(missing):
        ci_type = ci_types[spec.type_code]
        attributes, errors = validate_attributes(ci_type.attributes, spec.attributes, check_references=False)
        if errors or not ci_type.name_matches(spec.name):
            raise ValueError(f"Demo CI {spec.name} does not fit its type: {errors}")
        new_cis.append(
            ConfigurationItem(
                reference=f"{ConfigurationItem.reference_prefix}-{first + offset:06d}",
                name=spec.name,
                ci_type=ci_type,
                description=spec.description,
                state=spec.state,
                version=spec.version,
                location=spec.location,
                owner=users.get(spec.owner),
                team=teams.get(spec.team),
                supplier_reference=spec.supplier,
                contract_reference=spec.contract,
                importance=spec.importance,
                asset_tag=spec.asset_tag,
                attributes=attributes,
                created_by=actor,
                updated_by=actor,
                created_at=at,
                updated_at=at,
                **spec.licence,
            )
        )
    _bulk_create(ConfigurationItem, new_cis, actor=actor, at=at)

    by_name = {ci.name: ci for ci in ConfigurationItem.objects.filter(name__in=list(plan.cis))}
    components = {(c.service.code, c.name): c for c in ServiceComponent.objects.select_related("service")}
    services_by_code = {s.code: s for s in Service.objects.all()}
    known: set[tuple[Any, ...]] = set(
        Relationship.objects.filter(source__in=by_name.values()).values_list(
            "source_id", "relationship_type_id", "target_id", "target_service_id", "target_component_id"
        )
    )
    new_links = []
    allowed = {
        ci_type.pk: {t.code for t in ci_type.allowed_relationship_types.all()}
        for ci_type in ci_types.values()
    }

    def add(source: str, relationship: str, **target: Any) -> None:
        ci, kind = by_name[source], relationship_types[relationship]
        ends = (
            ci.pk,
            kind.pk,
            getattr(target.get("target"), "pk", None),
            getattr(target.get("target_service"), "pk", None),
            getattr(target.get("target_component"), "pk", None),
        )
        if ends in known:
            return
        known.add(ends)
        new_links.append(Relationship(source=ci, relationship_type=kind, created_by=actor, **target))

    for source, relationship, target in plan.links:
        if relationship not in allowed[by_name[source].ci_type_id]:
            raise ValueError(f"Demo link {source} {relationship} {target} is not allowed for its type.")
        add(source, relationship, target=by_name[target])
    for source, relationship, service_code, component_name in plan.component_links:
        component = components.get((service_code, component_name))
        if component is not None:  # the catalogue may not have it (skipped, not invented)
            add(source, relationship, target_component=component)
    for source, relationship, service_code in plan.service_links:
        service = services_by_code.get(service_code)
        if service is not None:
            add(source, relationship, target_service=service)
    labels: dict[tuple[str, Any], str] = {("ci", ci.pk): str(ci) for ci in by_name.values()}
    labels.update({("type", t.pk): str(t) for t in relationship_types.values()})
    labels.update({("component", c.pk): str(c) for c in components.values()})
    labels.update({("service", s.pk): str(s) for s in services_by_code.values()})
    with relationship_labels(labels):
        _bulk_create(Relationship, new_links, actor=actor, at=at)
    created = {
        "CI types": types_created,
        "configuration items": len(new_cis),
        "CI relationships": len(new_links),
    }
    # One taken baseline, one completed CMDB audit and the audit schedule (configuration.demo_baselines).
    created.update(demo_baselines.seed(users=users, today=today))
    return created
