"""Reads of configuration management: joins, policy scoping and the graph queries live here.

Impact analysis and the cycle check walk the relationship graph in the database with one recursive
query each (``WITH RECURSIVE``, on SQLite and PostgreSQL alike), never one query per CI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from service_levels.models import Customer, Service, ServiceComponent, ServiceDependency

from .choices import CIState, ImpactDirection
from .models import CIType, ConfigurationItem, Relationship, RelationshipType

#: How many hops impact analysis follows at most (a guard against runaway walks on cyclic types).
IMPACT_MAX_DEPTH = 12
#: CIs that no longer carry a service: impact does not travel through them.
INACTIVE_STATES = (CIState.RETIRED, CIState.DISPOSED)


def ci_list() -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.select_related("ci_type", "owner", "team")


def ci_detail() -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.select_related("ci_type", "owner", "team", "created_by", "updated_by")


def ci_state_counts() -> list[tuple[str, str, int]]:
    """(state, label, count) of CIs in each state that has any, in lifecycle order (one query)."""
    counts = dict(ConfigurationItem.objects.order_by().values_list("state").annotate(n=Count("id")))
    return [(value, str(label), counts[value]) for value, label in CIState.choices if counts.get(value)]


def citype_list() -> QuerySet[CIType]:
    return CIType.objects.select_related("owner").annotate(
        ci_count=Count("configuration_items", filter=~Q(configuration_items__state=CIState.DISPOSED))
    )


def citype_detail() -> QuerySet[CIType]:
    return CIType.objects.select_related("owner").prefetch_related(
        Prefetch("allowed_relationship_types", queryset=RelationshipType.objects.order_by("name"))
    )


def relationshiptype_list() -> QuerySet[RelationshipType]:
    return RelationshipType.objects.annotate(relationship_count=Count("relationships"))


def active_relationship_types() -> QuerySet[RelationshipType]:
    return RelationshipType.objects.filter(is_active=True).order_by("name")


def relationship_list() -> QuerySet[Relationship]:
    return Relationship.objects.select_related(
        "source",
        "source__ci_type",
        "target",
        "target__ci_type",
        "target_service",
        "target_component",
        "target_component__service",
        "relationship_type",
        "created_by",
    )


def outgoing_relationships(ci: ConfigurationItem) -> QuerySet[Relationship]:
    """What this CI points at (runs on, depends on, part of …), to CIs, services and components."""
    return relationship_list().filter(source=ci).order_by("relationship_type__name", "id")


def incoming_relationships(ci: ConfigurationItem) -> QuerySet[Relationship]:
    """What points at this CI (the inverse view: hosts, is used by …)."""
    return relationship_list().filter(target=ci).order_by("relationship_type__name", "id")


def services_for_picker() -> QuerySet[Service]:
    return Service.objects.order_by("name", "id")


def components_for_picker() -> QuerySet[ServiceComponent]:
    return ServiceComponent.objects.select_related("service").order_by("service__name", "name", "id")


def cis_linked_to_service(service_id: int) -> Q:
    """A filter for CIs linked directly to a service or to one of its components."""
    return Q(outgoing_relationships__target_service_id=service_id) | Q(
        outgoing_relationships__target_component__service_id=service_id
    )


# Records of other processes that name a CI ---------------------------------------------------------


@dataclass(frozen=True)
class RelatedRecord:
    """An incident, problem, known error, RFC, release … that names a CI (shown on the CI's page)."""

    kind: str
    reference: str
    title: str
    state: str
    url: str


RelatedSource = Callable[[ConfigurationItem, Any], Iterable[RelatedRecord]]
_related_sources: list[RelatedSource] = []


def register_related_records(source: RelatedSource) -> None:
    """Let another process list its records on a CI's "Related records" tab.

    ``source(ci, viewer)`` returns the records of that process naming ``ci`` that ``viewer`` may
    see (scoped by the policy, a fixed number of queries). Register once, at import time of the
    process's ``selectors`` module.
    """
    if source not in _related_sources:
        _related_sources.append(source)


def related_records(ci: ConfigurationItem, viewer: Any) -> list[RelatedRecord]:
    """Records of every registered process that name ``ci``; empty until those processes exist."""
    return [record for source in _related_sources for record in source(ci, viewer)]


# The graph --------------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "rel": quote(Relationship._meta.db_table),
        "rtype": quote(RelationshipType._meta.db_table),
        "ci": quote(ConfigurationItem._meta.db_table),
        "citype": quote(CIType._meta.db_table),
        "service": quote(Service._meta.db_table),
        "component": quote(ServiceComponent._meta.db_table),
        "dependency": quote(ServiceDependency._meta.db_table),
        "customer": quote(Customer._meta.db_table),
        "received": quote(Customer.services.through._meta.db_table),
    }


def creates_cycle(*, source_id: int, target_id: int, relationship_type_id: int) -> bool:
    """Whether a link ``source → target`` of this type would close a loop of links of the same type:
    true when ``source`` is already reachable from ``target`` (one recursive query)."""
    if source_id == target_id:
        return True
    sql = """
        WITH RECURSIVE reach(ci_id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT r.target_id FROM {rel} r JOIN reach ON r.source_id = reach.ci_id
            WHERE r.relationship_type_id = %s AND r.target_id IS NOT NULL
        )
        SELECT 1 FROM reach WHERE ci_id = %s LIMIT 1
    """.format(**_tables())  # noqa: S608 - table names from model metadata; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [target_id, relationship_type_id, source_id])
        return cursor.fetchone() is not None


@dataclass(eq=False)
class ImpactNode:
    """Something affected: a CI, a service component, a service or a customer, ``depth`` hops away."""

    kind: str  # "ci", "component", "service", "customer"
    id: int
    depth: int
    label: str
    code: str = ""
    state: str = ""
    type_name: str = ""
    importance: str = ""
    parents: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, id, relationship)
    previous: ImpactNode | None = None  # the first parent: one step of a shortest path back

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def path(self) -> list[ImpactNode]:
        """One shortest path from the analysed CI to this node (both included)."""
        steps: list[ImpactNode] = []
        node: ImpactNode | None = self
        while node is not None:
            steps.append(node)
            node = node.previous
        steps.reverse()
        return steps

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "depth": self.depth,
            "label": self.label,
            "code": self.code,
            "state": self.state,
            "type": self.type_name,
            "importance": self.importance,
            "via": [{"kind": k, "id": i, "relationship": r} for k, i, r in self.parents],
            "path": [n.key for n in self.path],
        }


@dataclass
class Impact:
    """The result of impact analysis: the root CI and everything that depends on it, by depth."""

    root: ImpactNode
    nodes: list[ImpactNode]
    max_depth: int
    truncated: bool = False

    def of_kind(self, kind: str) -> list[ImpactNode]:
        return [n for n in self.nodes if n.kind == kind]

    @property
    def cis(self) -> list[ImpactNode]:
        return self.of_kind("ci")

    @property
    def services(self) -> list[ImpactNode]:
        return self.of_kind("service")

    @property
    def customers(self) -> list[ImpactNode]:
        return self.of_kind("customer")

    @property
    def components(self) -> list[ImpactNode]:
        return self.of_kind("component")

    def layers(self) -> list[list[ImpactNode]]:
        by_depth: dict[int, list[ImpactNode]] = defaultdict(list)
        for node in [self.root, *self.nodes]:
            by_depth[node.depth].append(node)
        return [by_depth[d] for d in sorted(by_depth)]

    def edges(self) -> list[tuple[ImpactNode, ImpactNode, str]]:
        index = {(n.kind, n.id): n for n in [self.root, *self.nodes]}
        result = []
        for node in self.nodes:
            for kind, pk, relationship in node.parents:
                parent = index.get((kind, pk))
                if parent is not None:
                    result.append((parent, node, relationship))
        return result

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root.as_dict(),
            "max_depth": self.max_depth,
            "truncated": self.truncated,
            "counts": {kind: len(self.of_kind(kind)) for kind in KIND_ORDER},
            "nodes": [n.as_dict() for n in self.nodes],
        }


# The walk keeps (CI, depth, the CI it came from, the link's type): UNION drops repeats, the depth
# bound ends loops, and never stepping straight back to the CI it came from keeps a two-way link
# (a redundant pair) from re-walking everything behind it. Python then keeps each CI at its smallest
# depth with the parents one layer up. CROSS JOIN keeps SQLite's join order (each walked CI drives an
# index lookup of its own links); PostgreSQL plans it like any inner join.
_IMPACT_SQL = """
WITH RECURSIVE
walk(ci_id, depth, parent_id, type_id) AS (
    SELECT CAST(%(root)s AS BIGINT), 0, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
    UNION
    SELECT c.id, w.depth + 1, w.ci_id, r.relationship_type_id
    FROM walk w
    CROSS JOIN {rel} r
    CROSS JOIN {rtype} t
    CROSS JOIN {ci} c
    WHERE (r.target_id = w.ci_id OR r.source_id = w.ci_id)
      AND w.depth < %(max_depth)s
      AND r.target_id IS NOT NULL
      AND t.id = r.relationship_type_id
      AND t.propagates_impact = %(true)s
      AND ((r.target_id = w.ci_id AND t.impact_direction IN (%(to_source)s, %(both)s))
        OR (r.source_id = w.ci_id AND t.impact_direction IN (%(to_target)s, %(both)s)))
      AND c.id = CASE WHEN r.target_id = w.ci_id THEN r.source_id ELSE r.target_id END
      AND c.id <> %(root)s
      AND (w.parent_id IS NULL OR c.id <> w.parent_id)
      AND c.state NOT IN (%(retired)s, %(disposed)s)
),
direct_links(ci_id, depth, service_id, component_id, type_id) AS (
    SELECT w.ci_id, w.depth + 1, r.target_service_id, r.target_component_id, r.relationship_type_id
    FROM walk w
    CROSS JOIN {rel} r
    CROSS JOIN {rtype} t
    WHERE r.source_id = w.ci_id
      AND r.target_id IS NULL
      AND t.id = r.relationship_type_id
      AND t.propagates_impact = %(true)s
      AND t.impact_direction IN (%(to_target)s, %(both)s)
),
service_walk(service_id, depth, parent_kind, parent_id, type_id) AS (
    SELECT service_id, depth, 'ci', ci_id, type_id FROM direct_links WHERE service_id IS NOT NULL
    UNION
    SELECT sc.service_id, dl.depth + 1, 'component', dl.component_id, NULL
    FROM direct_links dl JOIN {component} sc ON sc.id = dl.component_id
    UNION
    SELECT sd.service_id, dl.depth + 1, 'component', dl.component_id, NULL
    FROM direct_links dl JOIN {dependency} sd ON sd.component_id = dl.component_id
    UNION
    SELECT sd.service_id, sw.depth + 1, 'service', sw.service_id, NULL
    FROM service_walk sw JOIN {dependency} sd ON sd.depends_on_id = sw.service_id
    WHERE sw.depth < %(service_depth)s
)
SELECT 'ci', w.ci_id, w.depth, w.parent_id, rt.name, c.reference, c.name, c.state, ct.name, c.importance
FROM walk w
JOIN {ci} c ON c.id = w.ci_id
JOIN {citype} ct ON ct.id = c.ci_type_id
LEFT JOIN {rtype} rt ON rt.id = w.type_id
WHERE w.depth > 0
UNION ALL
SELECT 'component', sc.id, dl.depth, dl.ci_id, rt.name, '', sc.name, '', '', ''
FROM direct_links dl
JOIN {component} sc ON sc.id = dl.component_id
JOIN {rtype} rt ON rt.id = dl.type_id
UNION ALL
SELECT 'service:' || sw.parent_kind, s.id, sw.depth, sw.parent_id, rt.name, s.code, s.name, s.status, '', ''
FROM service_walk sw
JOIN {service} s ON s.id = sw.service_id
LEFT JOIN {rtype} rt ON rt.id = sw.type_id
WHERE s.status <> %(service_retired)s
UNION ALL
SELECT 'customer', cu.id, MIN(sw.depth) + 1, sw.service_id, '', cu.code, cu.name, '', '', ''
FROM service_walk sw
JOIN {service} s ON s.id = sw.service_id
JOIN {received} rc ON rc.service_id = sw.service_id
JOIN {customer} cu ON cu.id = rc.customer_id
WHERE cu.is_active = %(true)s AND s.status <> %(service_retired)s
GROUP BY cu.id, cu.code, cu.name, sw.service_id
"""


def impact_of(ci: ConfigurationItem, *, max_depth: int = IMPACT_MAX_DEPTH) -> Impact:
    """Everything affected if ``ci`` fails or changes: dependent CIs (multi-hop), the service components
    and services they support (and services that depend on those), and the customers receiving them,
    each with its depth and one shortest path back to ``ci``. One database query.

    A link propagates impact when its type says so, in the type's direction; retired and disposed CIs
    and retired services stop the walk. ``max_depth`` bounds the CI hops.
    """
    sql = _IMPACT_SQL.format(**_tables())
    params: dict[str, Any] = {
        "root": ci.pk,
        "max_depth": max_depth,
        "service_depth": max_depth + 2 + max_depth,
        "true": True,
        "retired": CIState.RETIRED.value,
        "disposed": CIState.DISPOSED.value,
        "to_source": ImpactDirection.TO_SOURCE.value,
        "to_target": ImpactDirection.TO_TARGET.value,
        "both": ImpactDirection.BOTH.value,
        "service_retired": "retired",
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _build_impact(ci, rows, max_depth)


KIND_ORDER = ["ci", "component", "service", "customer"]
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def _build_impact(ci: ConfigurationItem, rows: list[tuple[Any, ...]], max_depth: int) -> Impact:
    """Nodes from the query's rows: each at its smallest depth, with its parents one layer up and one
    shortest path back to the root (linear in the rows)."""
    root = ImpactNode(
        kind="ci",
        id=ci.pk,
        depth=0,
        label=ci.name,
        code=ci.reference,
        state=ci.state,
        type_name=ci.ci_type.name if ci.ci_type_id else "",
        importance=ci.importance,
    )
    nodes: dict[tuple[str, int], ImpactNode] = {("ci", ci.pk): root}
    links: list[tuple[ImpactNode, int, tuple[str, int, str]]] = []
    for kind, pk, depth, parent_id, relationship, code, label, state, type_name, importance in rows:
        parent_kind = "ci"
        if kind != "ci":
            if kind.startswith("service:"):
                kind, parent_kind = "service", kind[8:]
            elif kind == "customer":
                parent_kind = "service"
        depth = int(depth)
        node = nodes.get((kind, pk))
        if node is None:
            node = nodes[(kind, pk)] = ImpactNode(
                kind, pk, depth, label, code or "", state or "", type_name or "", importance or ""
            )
        elif depth < node.depth:
            node.depth = depth
        if parent_id is not None:
            links.append((node, depth, (parent_kind, int(parent_id), relationship or "")))
    for node, depth, parent in links:
        if depth == node.depth and node is not root:
            node.parents.append(parent)
    ordered = sorted(
        (n for n in nodes.values() if n is not root),
        key=lambda n: (n.depth, _KIND_RANK[n.kind], n.code, n.label, n.id),
    )
    for node in ordered:
        node.parents = sorted(set(node.parents))
        if node.parents:
            kind, pk, _relationship = node.parents[0]
            node.previous = nodes.get((kind, pk))
    truncated = any(n.depth >= max_depth for n in ordered if n.kind == "ci")
    return Impact(root=root, nodes=ordered, max_depth=max_depth, truncated=truncated)


def impacted_service_ids(ci: ConfigurationItem) -> list[int]:
    """The catalogue services affected by ``ci`` (for incidents and change assessment)."""
    return [node.id for node in impact_of(ci).services]
