"""Factories of audits and improvement."""

from __future__ import annotations

from decimal import Decimal

import factory

from audits.models import Objective
from itsm.tests.factories import UserFactory


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    code = factory.Sequence(lambda n: f"objective-{n}")
    name = factory.Sequence(lambda n: f"Objective {n}")
    target = Decimal("95")
    owner = factory.SubFactory(UserFactory)
