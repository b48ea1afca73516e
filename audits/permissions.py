"""Policy rules of audits and improvement, registered with ``itsm.policy``.

Objectives are communicated to everyone who works in the system (clause 6.2.1 of the 2018 edition);
only those with the model permission (management representative, top management) set them.
"""

from typing import Any

from itsm.notes import register_note_rules
from itsm.policy import has_any_perm, is_staff_member, policy

from .choices import DocumentState
from .models import Document, Objective

policy.register(Objective, "view", is_staff_member)
policy.register(Objective, "add", has_any_perm("audits.add_objective"))
policy.register(Objective, "change", has_any_perm("audits.change_objective"))


def _is_owner(user: Any, document: Document | None) -> bool:
    return document is not None and document.owner_id == user.pk


def _may_edit(user: Any, document: Document | None) -> bool:
    if document is None:
        return can_write_documents(user, None)
    return document.state == DocumentState.DRAFT and (
        _is_owner(user, document) or can_write_documents(user, None)
    )


def _may_decide(user: Any, document: Document | None) -> bool:
    """Segregation of duties: the owner never reviews or approves their own document."""
    return can_approve_documents(user, None) and not _is_owner(user, document)


can_write_documents = has_any_perm("audits.add_document", "audits.change_document")
can_approve_documents = has_any_perm("audits.approve_document")

policy.register(Document, "view", is_staff_member)
policy.register(Document, "add", has_any_perm("audits.add_document"))
policy.register(Document, "change", _may_edit)
policy.register(
    Document,
    "submit",
    lambda user, doc: doc is None or _is_owner(user, doc) or can_write_documents(user, doc),
)
policy.register(Document, "reject", _may_decide)
policy.register(Document, "approve", _may_decide)
policy.register(Document, "publish", lambda user, doc: can_approve_documents(user, doc))
policy.register(Document, "withdraw", lambda user, doc: can_approve_documents(user, doc))
# Work notes, comments and attachments: any staff member who may see the document (the defaults).
register_note_rules(Document)
