"""Policy rules of saved filters (imported by ``itsm.permissions``).

Everyone signed in keeps filters of the lists they see. A filter is seen by its owner, by the members
of the team it is shared with, or by everyone when shared with everyone; only its owner changes or
deletes it. Sharing with everyone needs ``itsm.share_savedfilter`` (managers; checked by the service).
"""

from __future__ import annotations

from .policy import policy, signed_in
from .saved_filters import SavedFilter, may_change, may_view, scope_visible

policy.register(SavedFilter, "view", may_view, scope=scope_visible)
policy.register(SavedFilter, "add", signed_in)
policy.register(SavedFilter, "change", may_change)
