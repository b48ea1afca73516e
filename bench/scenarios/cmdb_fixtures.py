"""CMDB fixtures of the S8 scenarios: a layered CI graph behind a service, written in bulk.

The graph looks like a data centre's: two core switches, top-of-rack switches uplinking to both,
hypervisor hosts on two top-of-rack switches each, virtual machines hosted on one host, applications
running on one or two virtual machines (a third of them also depending on a "tier 1" application),
and business components that applications are part of, each part of one service received by one
customer. A failure of the first core switch reaches every CI of the graph but the second core switch.

Rows are inserted with ``bulk_create`` and without history: the scenarios time reads. Everything
carries the run's tag and is removed with a raw DELETE afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import connection

from configuration.choices import CIState, ImpactDirection
from configuration.models import CIType, ConfigurationItem, Relationship, RelationshipType
from itsm.maintenance import refresh_statistics
from itsm.models import User
from service_levels.models import Customer, Service

SEED = 20261121


@dataclass
class Graph:
    tag: str
    ci_type: CIType
    root: ConfigurationItem
    size: int
    links: int


def relationship_types(tag: str) -> dict[str, RelationshipType]:
    specs = [
        ("uplinks-to", "uplinks to", "serves", ImpactDirection.TO_SOURCE),
        ("runs-on", "runs on", "runs", ImpactDirection.TO_SOURCE),
        ("depends-on", "depends on", "is needed by", ImpactDirection.TO_SOURCE),
        ("part-of", "part of", "consists of", ImpactDirection.TO_TARGET),
    ]
    created = RelationshipType.objects.bulk_create(
        [
            RelationshipType(
                code=f"b{tag}-{code}",
                name=f"{name} ({tag})",
                inverse_name=inverse,
                impact_direction=direction,
            )
            for code, name, inverse, direction in specs
        ]
    )
    return {code: kind for (code, *_rest), kind in zip(specs, created, strict=True)}


def make_graph(*, tag: str, size: int, owner: User, kinds: dict[str, RelationshipType]) -> Graph:
    """``size`` CIs in the shape described above, their links, one service and one customer."""
    rng = random.Random(SEED + size)
    ci_type = CIType.objects.create(code=f"b{tag}-{size}", name=f"Bench {tag} {size}", description="bench")
    tors = max(2, size // 250)
    hosts = max(2, size // 40)
    components = max(1, size // 20)
    vms = (size - 2 - tors - hosts - components) * 6 // 10
    apps = size - 2 - tors - hosts - components - vms
    layers = [
        ("core", 2),
        ("tor", tors),
        ("host", hosts),
        ("vm", vms),
        ("app", apps),
        ("component", components),
    ]
    names = [f"{kind}-{n:06d}" for kind, count in layers for n in range(count)]
    cis = ConfigurationItem.objects.bulk_create(
        [
            ConfigurationItem(
                reference=f"B{tag}-{size}-{n:06d}",
                name=name,
                ci_type=ci_type,
                state=CIState.LIVE,
                created_by=owner,
                updated_by=owner,
            )
            for n, name in enumerate(names)
        ],
        batch_size=2000,
    )
    by_layer: dict[str, list[ConfigurationItem]] = {}
    start = 0
    for kind, count in layers:
        by_layer[kind] = cis[start : start + count]
        start += count

    links: list[Relationship] = []

    def link(source: ConfigurationItem, kind: str, target: ConfigurationItem) -> None:
        links.append(
            Relationship(source=source, relationship_type=kinds[kind], target=target, created_by=owner)
        )

    core, tor_list, host_list = by_layer["core"], by_layer["tor"], by_layer["host"]
    for switch in tor_list:
        link(switch, "uplinks-to", core[0])
        link(switch, "uplinks-to", core[1])
    for n, host in enumerate(host_list):
        link(host, "uplinks-to", tor_list[n % len(tor_list)])
        link(host, "uplinks-to", tor_list[(n + 1) % len(tor_list)])
    for vm in by_layer["vm"]:
        link(vm, "runs-on", rng.choice(host_list))
    app_list = by_layer["app"]
    tier_one = app_list[: max(1, len(app_list) // 10)]
    for n, app in enumerate(app_list):
        for vm in rng.sample(by_layer["vm"], k=1 + n % 2):
            link(app, "runs-on", vm)
        if app not in tier_one and n % 3 == 0:
            link(app, "depends-on", rng.choice(tier_one))
        link(app, "part-of", by_layer["component"][n % components])
    Relationship.objects.bulk_create(links, batch_size=2000)
    service = Service.objects.create(code=f"b{tag}-{size}", name=f"Bench {tag} {size}", owner=owner)
    Relationship.objects.bulk_create(
        [
            Relationship(
                source=c, relationship_type=kinds["part-of"], target_service=service, created_by=owner
            )
            for c in by_layer["component"]
        ],
        batch_size=2000,
    )
    customer = Customer.objects.create(
        code=f"b{tag}-{size}", name=f"Bench {tag} {size}", relationship_owner=owner
    )
    customer.services.add(service)
    return Graph(tag=tag, ci_type=ci_type, root=core[0], size=size, links=len(links) + components)


def analyze() -> None:
    """Fresh planner statistics, as a running product has them: PostgreSQL's autovacuum would have
    analysed the tables after the bulk load (it cannot here: the bench's rows stay uncommitted); on
    SQLite the product's hourly task analyses the big tables (``itsm.maintenance``)."""
    if connection.vendor == "postgresql":
        tables = [ConfigurationItem, Relationship, RelationshipType, CIType, Service, Customer]
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    else:
        refresh_statistics()


def seed_cis(*, tag: str, ci_type: CIType, count: int, owner: User) -> None:
    """``count`` unlinked CIs of ``ci_type`` (for list pages)."""
    states = [CIState.LIVE] * 8 + [CIState.PLANNED, CIState.MAINTENANCE]
    rng = random.Random(SEED + count)
    ConfigurationItem.objects.bulk_create(
        (
            ConfigurationItem(
                reference=f"B{tag}-{ci_type.pk}-{n:07d}",
                name=f"bench-{tag}-{n:07d}",
                ci_type=ci_type,
                state=rng.choice(states),
                version=f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
                location=f"DC{rng.randint(1, 3)} rack {rng.randint(1, 40)}",
                owner=owner,
                attributes={"serial_number": f"SN{n:09d}", "ram_gb": rng.choice([8, 16, 32, 64])},
                created_by=owner,
                updated_by=owner,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def remove(*, tag: str) -> None:
    """Drop every row the fixtures made under ``tag`` (raw DELETEs: no collector, no history rows)."""
    db = ConfigurationItem.objects.db
    Relationship.objects.filter(source__reference__startswith=f"B{tag}-")._raw_delete(using=db)
    ConfigurationItem.objects.filter(reference__startswith=f"B{tag}-")._raw_delete(using=db)
    for customer in Customer.objects.filter(code__startswith=f"b{tag}-"):
        customer.services.clear()
    Customer.objects.filter(code__startswith=f"b{tag}-")._raw_delete(using=db)
    Service.objects.filter(code__startswith=f"b{tag}-")._raw_delete(using=db)
    CIType.objects.filter(code__startswith=f"b{tag}-")._raw_delete(using=db)
    RelationshipType.objects.filter(code__startswith=f"b{tag}-")._raw_delete(using=db)
