"""OpenAPI pieces shared by every app: the problem response (RFC 9457)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Problem = inline_serializer("Problem", fields={
    "type": serializers.CharField(),
    "title": serializers.CharField(),
    "status": serializers.IntegerField(),
    "detail": serializers.CharField(),
    "code": serializers.CharField(),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    required=False),
})


def problems(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """Problem responses for `extend_schema(responses=...)`, with their own media type."""
    response = OpenApiResponse(Problem, description="Problem (RFC 9457)")
    return {(s, "application/problem+json"): response for s in statuses}


PROBLEM_RESPONSES = problems(404, 422, 429)



class CognitoBearerScheme(OpenApiAuthenticationExtension):
    target_class = "project.auth.CognitoAccessTokenAuthentication"
    name = "cognitoAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "A Cognito user pool access token (or the local issuer's)."}


# Operations whose body is a oneOf of serializers (drf-spectacular cannot tell it is
# required): tickets_create takes `lines` or `quantity`.
BODY_REQUIRED = {"tickets_create"}


def request_bodies_required(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: mark the request body of BODY_REQUIRED's operations required."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and operation.get("operationId") in BODY_REQUIRED:
                operation.setdefault("requestBody", {})["required"] = True
    return result
