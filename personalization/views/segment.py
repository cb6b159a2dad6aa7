"""The Segment-compatible HTTP tracking API: POST /v1/batch, /v1/track, /v1/identify, /v1/alias, /v1/page,
/v1/screen.

Authenticate with the site's write key as the HTTP basic-auth user name (empty password), as
every Segment SDK does; gzip bodies are accepted. Thin: decoding and auth here, the rest in
services.server_events."""

import base64
import binascii
import time
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from redis import RedisError
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ..collect.body import BodyError, body_parse, body_received
from ..collect.segment import MessageInvalid, iso_ms
from ..ingest.redis_client import redis_client, redis_enabled
from ..models import DropReason
from ..selectors import SiteInfo, site_for_write_key
from ..services.handover import RETRY_AFTER_SECONDS, drops_record
from ..services.server_events import server_messages_ingest

MAX_DEPTH = 16


class WriteKeyAuthentication(BaseAuthentication):
    """The write key as the basic-auth user name; request.auth becomes the site."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            raise AuthenticationFailed("Use HTTP basic auth with the site's write key as the user name.")
        try:
            write_key = base64.b64decode(encoded, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationFailed("The Authorization header is not valid basic auth.") from None
        site = site_for_write_key(write_key) if write_key else None
        if site is None:
            raise AuthenticationFailed("Unknown write key: copy it from `manage.py site_create` or rotate it in admin.")
        return (None, site)

    def authenticate_header(self, request) -> str:
        return 'Basic realm="attune"'


class WriteKeyScheme(OpenApiAuthenticationExtension):
    target_class = WriteKeyAuthentication
    name = "writeKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "The site's write key as the user name."}


class HasSite(BasePermission):
    message = "Send the site's write key as the HTTP basic-auth user name."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, SiteInfo)


class MessageSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["track", "page", "screen", "identify", "alias"], required=False)
    messageId = serializers.CharField(help_text="Unique per message; reused on retries, so they store nothing twice.")
    anonymousId = serializers.CharField(required=False, help_text="The visitor id (`v` in the attune_consent cookie's "
                                        "payload; attune.track(request, ...) reads it for you).")
    userId = serializers.CharField(required=False, help_text="The site's user id; stored as a keyed hash.")
    previousId = serializers.CharField(required=False, help_text="alias: the anonymous id the user had; that "
                                       "visitor is linked to userId, as by an identify.")
    event = serializers.CharField(required=False, help_text="track: the event name. 'Order Completed' counts as "
                                  "purchase, 'Product Added' as add_to_cart.")
    name = serializers.CharField(required=False)
    properties = serializers.DictField(required=False)
    context = serializers.DictField(required=False, help_text="context.consent.categoryPreferences is honoured.")
    timestamp = serializers.DateTimeField(required=False)
    sentAt = serializers.DateTimeField(required=False)


class BatchSerializer(serializers.Serializer):
    batch = MessageSerializer(many=True)
    sentAt = serializers.DateTimeField(required=False)
    context = serializers.DictField(required=False)


class IngestAnswerSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    accepted = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField(), required=False)
    dropped = serializers.DictField(child=serializers.IntegerField(), required=False)


def error(status: int, code: str, message: str, **headers) -> Response:
    return Response({"success": False, "error": code, "message": message}, status=status, headers=headers)


def body_decode(request) -> bytes:
    """The request's body, inflated when gzip; a BodyError when it is too large or does not arrive."""
    limit = settings.ATTUNE["SERVER_MAX_BODY_BYTES"]
    raw = body_received(request, max_bytes=limit)  # gzip shrinks JSON: a compressed body above the limit is too
    if request.META.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error:
            raise BodyError(400, "bad_gzip", "The body says it is gzip but is not; send it gzipped or plain.") from None
    return raw


def server_rate_allowed(site: SiteInfo) -> bool:
    key = f"attune:rl:v1:{site.id}:{int(time.time() // 60)}"
    if redis_enabled():
        pipe = redis_client().pipeline()
        pipe.incr(key)
        pipe.expire(key, 61)
        count = pipe.execute()[0]
    else:
        cache.add(key, 0, 61)
        count = cache.incr(key)
    return count <= settings.ATTUNE["RATE_LIMIT_SERVER_PER_MINUTE"]


class SegmentView(APIView):
    authentication_classes = [WriteKeyAuthentication]
    permission_classes = [HasSite]
    parser_classes = [JSONParser]  # the body is read as JSON (body_parse), so the OpenAPI document lists only JSON
    message_type = "batch"

    @extend_schema(request=MessageSerializer, responses={200: IngestAnswerSerializer, 422: IngestAnswerSerializer,
                                                         400: OpenApiResponse(description="Unreadable body"),
                                                         401: OpenApiResponse(description="Missing or unknown write key"),
                                                         429: OpenApiResponse(description="Too many requests"),
                                                         503: OpenApiResponse(description="Storage unavailable")})
    def post(self, request):
        site: SiteInfo = request.auth
        received_ms = int(time.time() * 1000)

        def dropped(response: Response, reason: str, events: int) -> Response:
            drops_record({(site.id, site.public_key, reason): events}, received_ms)
            return response

        try:
            data = body_parse(body_decode(request), max_bytes=settings.ATTUNE["SERVER_MAX_BODY_BYTES"],
                              max_depth=MAX_DEPTH)
        except BodyError as problem:
            return dropped(error(problem.status, problem.code, problem.message), DropReason.INVALID.value, 1)
        if not isinstance(data, dict):
            return dropped(error(400, "invalid_body", "Send a JSON object."), DropReason.INVALID.value, 1)
        messages, sent_at = self.messages_of(data)
        if messages is None:
            return dropped(error(400, "invalid_batch", "Send {\"batch\": [messages...]} to /v1/batch."),
                           DropReason.INVALID.value, 1)
        if len(messages) > settings.ATTUNE["SERVER_MAX_MESSAGES"]:
            return dropped(error(413, "too_many_messages",
                                 f"Send at most {settings.ATTUNE['SERVER_MAX_MESSAGES']} messages per batch."),
                           DropReason.INVALID.value, len(messages))
        try:
            sent_ms = iso_ms(sent_at, "sentAt")
        except MessageInvalid as problem:
            return dropped(error(400, "invalid_sent_at", str(problem)), DropReason.INVALID.value, len(messages))
        if not server_rate_allowed(site):
            return dropped(error(429, "rate_limited", "Too many requests for this site; wait and send again.",
                                 **{"Retry-After": "60"}), DropReason.RATE_LIMITED.value, len(messages))
        return self.ingest(site, messages, sent_ms)

    def handle_exception(self, exc):
        """The write key, the rate limit or storage could not be read: 503, so that the sender retries."""
        if isinstance(exc, DatabaseError | RedisError):
            return error(503, "unavailable", "Storage is unavailable; send the batch again later.",
                         **{"Retry-After": str(RETRY_AFTER_SECONDS)})
        return super().handle_exception(exc)

    def messages_of(self, data: dict):
        if self.message_type != "batch":
            return [{**data, "type": self.message_type}], data.get("sentAt")
        batch = data.get("batch")
        if not isinstance(batch, list):
            return None, None
        shared = data.get("context") if isinstance(data.get("context"), dict) else {}
        merged = [({**m, "context": {**shared, **(m.get("context") or {})}} if isinstance(m, dict) and shared and
                   isinstance(m.get("context") or {}, dict) else m) for m in batch]
        return merged, data.get("sentAt")

    def ingest(self, site: SiteInfo, messages: list, sent_ms: int | None) -> Response:
        result = server_messages_ingest(site=site, messages=messages, sent_ms=sent_ms)  # storage errors: 503
        body = {"success": not result.rejected, "accepted": result.accepted}
        if result.dropped:
            body["dropped"] = result.dropped
        if result.rejected:
            body["rejected"] = result.rejected
            body["message"] = "Some messages were rejected (see `rejected`); the others were accepted."
        return Response(body, status=422 if result.rejected else 200)


class BatchView(SegmentView):
    message_type = "batch"

    @extend_schema(request=BatchSerializer, responses={200: IngestAnswerSerializer, 422: IngestAnswerSerializer})
    def post(self, request):
        return super().post(request)
