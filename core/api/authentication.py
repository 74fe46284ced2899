from django.db import connections
from django.db.models.query import get_related_populators
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.models import ApiToken, hash_token


class _TokenLookup:
    """The token, its user and the user's profile in one SELECT, compiled once per process (the ORM would
    rebuild the same SQL on every request); each request still reads the row, so a revocation is seen at once."""

    def __init__(self, using):
        queryset = ApiToken.objects.select_related("user", "user__profile").filter(key_hash="")
        compiler = queryset.query.get_compiler(using=using)
        self.using = using
        self.sql = compiler.as_sql()[0]
        self.converters = list(compiler.get_converters([c[0] for c in compiler.select[:compiler.col_count]]).items())
        fields = compiler.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [c[0].target.attname for c in compiler.select[self.start:self.end]]
        self.populators = get_related_populators(compiler.klass_info, compiler.select, using)

    def get(self, key_hash):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key_hash])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for pos, (converters, expression) in self.converters:
            for converter in converters:
                row[pos] = converter(row[pos], expression, connection)
        token = ApiToken.from_db(self.using, self.init_list, row[self.start:self.end])
        for populator in self.populators:
            populator.populate(row, token)
        return token


_lookups = {}


def _lookup(key_hash):
    using = ApiToken.objects.db
    lookup = _lookups.get(using)
    if lookup is None:
        lookup = _lookups[using] = _TokenLookup(using)
    return lookup.get(key_hash)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` or `Bearer <key>`; keys are looked up by their SHA-256 hash."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = _lookup(hash_token(key))
        if token is None or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes `Authorization: Token <key>` in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": str(_("API token, sent as `Token <key>`."))}
