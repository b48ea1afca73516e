"""The typed attribute schema of CI types and validation of CI attributes against it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from configuration import services
from configuration.attributes import validate_attributes, validate_schema
from configuration.models import CIType

from .factories import CITypeFactory, make_ci

SCHEMA = [
    {"key": "hostname", "label": "Host name", "type": "text", "required": True},
    {"key": "ram_gb", "label": "RAM (GB)", "type": "number"},
    {"key": "purchased", "label": "Purchased", "type": "date"},
    {"key": "os", "label": "Operating system", "type": "choice", "choices": ["Linux", "Windows"]},
    {"key": "cluster", "label": "Cluster", "type": "reference", "reference_type": "cluster"},
]


def test_a_valid_schema_has_no_errors() -> None:
    assert validate_schema(SCHEMA) == []
    assert validate_schema([]) == []


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"key": "Bad Key", "label": "x", "type": "text"}, "the key must start with a letter"),
        ({"key": "a", "label": "", "type": "text"}, "a label is required"),
        ({"key": "a", "label": "A", "type": "colour"}, "the type must be one of"),
        ({"key": "a", "label": "A", "type": "choice"}, "needs a list of choices"),
        ({"key": "a", "label": "A", "type": "reference"}, "names the CI type it refers to"),
        ({"key": "a", "label": "A", "type": "text", "choices": ["x"]}, "only choice fields have choices"),
        ({"key": "a", "label": "A", "type": "text", "required": "yes"}, "required must be true or false"),
        ({"key": "a", "label": "A", "type": "text", "colour": "red"}, "unknown settings colour"),
    ],
)
def test_schema_mistakes_are_named(field: dict[str, Any], message: str) -> None:
    errors = validate_schema([field])
    assert any(message in e for e in errors), errors


def test_a_key_used_twice_and_a_schema_that_is_no_list() -> None:
    field = {"key": "a", "label": "A", "type": "text"}
    assert any("used twice" in e for e in validate_schema([field, field]))
    assert validate_schema({"a": 1}) == ["The attribute schema must be a list of fields."]


def test_values_are_cleaned_to_their_stored_form() -> None:
    cleaned, errors = validate_attributes(
        SCHEMA,
        {"hostname": " srv01 ", "ram_gb": "64", "purchased": "2024-03-01", "os": "Linux"},
        check_references=False,
    )
    assert errors == {}
    assert cleaned == {"hostname": "srv01", "ram_gb": 64, "purchased": "2024-03-01", "os": "Linux"}
    cleaned, _errors = validate_attributes(SCHEMA, {"hostname": "x", "ram_gb": 1.5}, check_references=False)
    assert cleaned["ram_gb"] == 1.5


def test_each_wrong_value_gets_its_own_message() -> None:
    _cleaned, errors = validate_attributes(
        SCHEMA,
        {"ram_gb": "lots", "purchased": "01/03/2024", "os": "BeOS", "cluster": "srv-7", "colour": "red"},
    )
    assert errors == {
        "hostname": "This attribute is required.",
        "ram_gb": "Enter a number.",
        "purchased": "Enter a date as YYYY-MM-DD.",
        "os": "Choose one of Linux, Windows.",
        "cluster": "Enter a CI reference such as CI-000123.",
        "colour": "This type has no attribute colour.",
    }


def test_references_must_name_a_ci_of_the_referenced_type(cfg: Any) -> None:
    cluster_type = CITypeFactory(code="cluster", name="Cluster")
    other_type = CITypeFactory(code="other", name="Other")
    cluster = make_ci(cfg, cluster_type, "c1")
    other = make_ci(cfg, other_type, "o1")
    assert validate_attributes(SCHEMA, {"hostname": "h", "cluster": cluster.reference.lower()})[1] == {}
    assert validate_attributes(SCHEMA, {"hostname": "h", "cluster": other.reference})[1] == {
        "cluster": f"{other.reference} is not a CI of type cluster."
    }
    assert validate_attributes(SCHEMA, {"hostname": "h", "cluster": "CI-999999"})[1] == {
        "cluster": "No CI CI-999999 exists."
    }


def test_creating_a_ci_checks_its_attributes_and_name(cfg: Any) -> None:
    server = CITypeFactory(
        code="server", name="Server", attribute_schema=SCHEMA[:4], naming_rule=r"^srv-[a-z0-9-]+$"
    )
    with pytest.raises(ValidationError) as error:
        services.ci_create(
            actor=cfg, data={"ci_type": server, "name": "Mail Server", "attributes": {"os": "BeOS"}}
        )
    assert set(error.value.message_dict) == {"name", "attributes"}
    assert "Host name: This attribute is required." in error.value.message_dict["attributes"]
    ci = services.ci_create(
        actor=cfg,
        data={"ci_type": server, "name": "srv-mail", "attributes": {"hostname": "mail", "ram_gb": "8"}},
    )
    assert ci.attributes == {"hostname": "mail", "ram_gb": 8}


def test_a_type_schema_that_existing_cis_would_fail_is_refused(cfg: Any) -> None:
    server = CITypeFactory(code="server", name="Server", attribute_schema=SCHEMA[1:2])
    ci = make_ci(cfg, server, "s1", attributes={"ram_gb": 4})
    stricter = [*SCHEMA[1:2], {"key": "serial", "label": "Serial", "type": "text", "required": True}]
    with pytest.raises(ValidationError) as error:
        services.citype_update(ci_type=server, actor=cfg, data={"attribute_schema": stricter})
    assert ci.reference in error.value.message_dict["attribute_schema"][0]
    looser = [*SCHEMA[1:2], {"key": "serial", "label": "Serial", "type": "text"}]
    services.citype_update(ci_type=server, actor=cfg, data={"attribute_schema": looser})
    assert CIType.objects.get(pk=server.pk).attribute_schema == looser


def test_a_malformed_schema_is_refused_by_the_type(cfg: Any) -> None:
    server = CITypeFactory(code="server", name="Server")
    with pytest.raises(ValidationError) as error:
        services.citype_update(ci_type=server, actor=cfg, data={"attribute_schema": [{"key": "x"}]})
    assert "attribute_schema" in error.value.message_dict
