"""Base viewsets: querysets scoped by the policy, writes delegated to services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from itsm.notes import attachment_add, attachments_for, note_add, notes_for
from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.views import acting_user

from .serializers import AttachmentInputSerializer, AttachmentSerializer, NoteInputSerializer, NoteSerializer


class PolicyScopedMixin:
    """``get_queryset`` returns only rows the policy lets the user view (others are 404)."""

    policy_target: Any = None
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return policy.scope(self.request.user, "view", queryset)


class PolicyReadOnlyViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ServiceWriteViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Create and update through ``create_service`` / ``update_service`` (never ``serializer.save()``)."""

    def create_service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_service(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = self.create_service(dict(serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = self.update_service(serializer.instance, dict(serializer.validated_data))


class TransitionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RecordViewSet(ServiceWriteViewSet):
    """A process record: CRUD through services, ``…/<id>/timeline/``, ``…/<id>/notes/`` and
    ``…/<id>/attachments/``, and one POST action per transition.

    Subclasses set ``transition_services`` (name → service taking ``<record_argument>``, ``actor`` and
    ``note``); ``__init_subclass__`` turns each into ``POST …/<id>/<name>/``.
    """

    transition_services: dict[str, Any] = {}
    record_argument = "record"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, service in cls.transition_services.items():
            setattr(cls, name, _transition_action(name, service))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Any, pk: Any = None) -> Response:
        """The record's events, oldest first: changes (old → new), transitions, notes (work notes only
        for staff) and attachments."""
        return Response(
            [event.as_dict() for event in timeline_for(self.get_object(), viewer=self.request.user)]
        )

    @extend_schema(methods=["GET"], responses={200: NoteSerializer(many=True)})
    @extend_schema(methods=["POST"], request=NoteInputSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def notes(self, request: Any, pk: Any = None) -> Response:
        """GET: the notes you may read (work notes only for staff), oldest first. POST ``{kind, body}``:
        add a work note (``work_note``) or a comment visible to the requester (``comment``)."""
        record = self.get_object()
        if request.method == "POST":
            data = NoteInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            note = note_add(record=record, actor=acting_user(request), **data.validated_data)
            return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        return Response(NoteSerializer(notes_for(record, request.user), many=True).data)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        filter_backends=[],
        pagination_class=None,
    )
    def attachments(self, request: Any, pk: Any = None) -> Response:
        """GET: the record's attachments (download through ``download_url``). POST multipart ``file``:
        attach a file; its size and type (by content) are checked against the settings."""
        record = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            upload = request.FILES.get("file")
            attachment = attachment_add(record=record, actor=acting_user(request), uploaded_file=upload)
            return Response(
                AttachmentSerializer(attachment, context=context).data, status=status.HTTP_201_CREATED
            )
        return Response(AttachmentSerializer(attachments_for(record), many=True, context=context).data)


def _transition_action(name: str, service: Any) -> Any:
    def run(self: RecordViewSet, request: Any, pk: Any = None) -> Response:
        record = self.get_object()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(
            **{self.record_argument: record}, actor=acting_user(request), note=data.validated_data["note"]
        )
        return Response(self.get_serializer(record).data)

    run.__name__ = name
    run.__doc__ = f"Run the '{name}' transition (409 if the record changed meanwhile)."
    return extend_schema(request=TransitionInputSerializer)(
        action(detail=True, methods=["post"], url_path=name, url_name=name)(run)
    )
