"""``{% sla_clocks_panel record %}``: the SLA clocks of any record, for its detail page.

.. code-block:: django

    {% load sla_clocks %}
    {% sla_clocks_panel incident %}

Shows each clock's state as a badge (time left in business time; amber from the warning threshold,
red when breached), the due time, the share of the target used and an expandable explanation. Only
people who may read clocks see it. Two queries, whatever the number of clocks and events.
"""

from __future__ import annotations

from typing import Any

from django import template

from itsm.policy import policy
from service_levels.clocks import clock_panel_rows, format_seconds
from service_levels.models import Clock

register = template.Library()


@register.inclusion_tag("service_levels/_clocks_panel.html", takes_context=True)
def sla_clocks_panel(context: template.Context, record: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if record is None or user is None or not policy.allows(user, "view", Clock):
        return {"visible": False}
    return {"visible": True, "rows": clock_panel_rows(record), "request": request}


@register.filter
def business_time(seconds: int | None) -> str:
    """Business seconds as ``1 h 30 min``."""
    return format_seconds(seconds)
