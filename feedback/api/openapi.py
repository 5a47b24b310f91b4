"""The OpenAPI 3.1 description of /api/v1, kept beside the views it describes."""

from __future__ import annotations

from feedback.fields import FIRST_DAY, LAST_DAY
from feedback.services.metrics import DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS

RATING = {"type": "integer", "minimum": 1, "maximum": 5}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
#: What the views require of a code or label: they drop surrounding whitespace, and something must be left.
NOT_BLANK = {"minLength": 1, "pattern": r"\S"}
NAMES = {"type": "object", "additionalProperties": {"type": "string"}, "example": {"az": "…", "en": "…"}}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


#: Any operation that reads or writes the database (see feedback.errors).
UNAVAILABLE = {
    **_error_response("The database is briefly unreachable or overloaded. Retry after the seconds in the "
                      "`Retry-After` header; a retry with the same `Idempotency-Key` cannot store feedback twice."),
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
}


SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `flask --app feedback api-keys create`, sent as "
        "`Authorization: Bearer rey_<prefix>_<secret>` (or in an `X-API-Key` header). "
        "401: missing, unknown or revoked key; 403: the key lacks the scope or is limited to another center.",
    }
}

VISITS_PATH = {
    "post": {
        "operationId": "createVisit",
        "summary": "Issue a one-use feedback link for a visit (for queue systems)",
        "description": "Feedback sent through the link is marked verified; the link accepts one "
        "submission and expires after the configured time. Scope: `visits:create`.",
        "security": [{"apiKey": []}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VisitInput"}}},
        },
        "responses": {
            "201": {
                "description": "The link",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VisitLink"}}},
            },
            "400": _error_response(
                "Invalid input; `errors` maps each field to a message. Text that cannot be stored (a NUL "
                "or a lone UTF-16 surrogate) is refused for any request before the key is checked, so "
                "it answers 400 even without a key."
            ),
            "401": _error_response("Missing, unknown or revoked API key"),
            "403": _error_response("The key lacks the scope `visits:create` or is limited to another center"),
            "413": _error_response("The body is too large (checked before the key)"),
            "429": _error_response("Too many requests"),
            "503": UNAVAILABLE,
        },
    }
}

VISIT_SCHEMAS = {
    "VisitInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["center"],
        "properties": {
            "center": {"type": "string", **NOT_BLANK, "maxLength": 40},
            "service": {"type": "string", **NOT_BLANK, "maxLength": 40},
            "desk": {"type": "string", **NOT_BLANK, "maxLength": 20},
            "ticket": {"type": "string", **NOT_BLANK, "maxLength": 40, "description": "The queue ticket number"},
            "language": {"type": "string", "enum": ["az", "ru", "en"],
                         "description": "The link opens in this language"},
        },
    },
    "VisitLink": {
        "type": "object",
        "required": ["url", "token", "expires_at"],
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "token": {"type": "string"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
}


def _export_path(operation_id: str, summary: str, rows: str) -> dict:
    day = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": f"{rows} as on the dashboard's download, for reporting systems. Comments are masked; "
            "a citizen's contact and restricted cases are never included. A key bound to a center exports "
            "that center only. Scope: `exports:read`.",
            "security": [{"apiKey": []}],
            "parameters": [
                {"name": "from", "in": "query", "schema": day,
                 "description": f"First day (the service's time zone); {DEFAULT_PERIOD_DAYS - 1} days before `until` by default"},
                {"name": "until", "in": "query", "schema": day, "description": "Last day; today by default. "
                 f"Less than {MAX_PERIOD_DAYS} days after `from`, in {FIRST_DAY.year}–{LAST_DAY.year}."},
                {"name": "center", "in": "query", "schema": {"type": "string", **NOT_BLANK},
                 "description": "A center code"},
                {"name": "service", "in": "query", "schema": {"type": "string", **NOT_BLANK},
                 "description": "A service code, at every chosen center"},
            ],
            "responses": {
                "200": {"description": "A UTF-8 CSV file with a byte order mark and a header row",
                        "content": {"text/csv": {"schema": {"type": "string"}}}},
                "400": _error_response("A parameter is unknown, invalid or given more than once; `errors` names it"),
                "401": _error_response("Missing, unknown or revoked API key"),
                "403": _error_response("The key lacks the scope `exports:read`, or names a center other than its own"),
                "413": _error_response("The request sent a body, and it is too large"),
                "429": _error_response("Too many requests"),
                "503": UNAVAILABLE,
            },
        }
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rəy API",
            "version": "1.0.0",
            "description": "Citizen feedback for public-service centers. Citizens never see the classifier's verdict.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/visits": VISITS_PATH,
            "/exports/submissions.csv": _export_path(
                "exportSubmissions", "The submissions of a period as CSV", "The submissions received in the period"),
            "/exports/cases.csv": _export_path(
                "exportCases", "The cases opened in a period as CSV", "The cases opened in the period"),
            "/centers": {
                "get": {
                    "operationId": "listCenters",
                    "summary": "Active centers with their names and services",
                    "responses": {
                        "200": {
                            "description": "The centers",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CenterList"}}},
                        },
                        "400": _error_response(
                            "The query string or a body sent along holds text that cannot be stored "
                            "(a NUL or a lone UTF-16 surrogate)"
                        ),
                        "413": _error_response("The request sent a body, and it is too large"),
                        "429": _error_response("Too many requests"),
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/feedback": {
                "post": {
                    "operationId": "createFeedback",
                    "summary": "Store a citizen's feedback on a visit",
                    "description": "Open to anyone, as the survey page is, and limited per client address as "
                    "the survey is (the two count together). A machine client sending for many citizens "
                    "(a hall's queue system, a kiosk gateway) sends a key holding `feedback:create` and is "
                    "not held to that limit; a key sent must be valid. Its Idempotency-Keys are its own: "
                    "another client choosing the same key neither collides with it nor gets its reference.",
                    "security": [{}, {"apiKey": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "A key chosen by the client; retries with the same key store the feedback "
                            "once. A key is for one piece of feedback: sent again with different content, it is "
                            "refused with 409.",
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,128}$"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackInput"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}},
                        },
                        "200": {
                            "description": "The same feedback was already stored under this Idempotency-Key; "
                            "nothing new was stored",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}},
                        },
                        "400": _error_response("Invalid input; `errors` maps each field to a message"),
                        "401": _error_response("An API key was sent, and it is malformed, unknown or revoked"),
                        "403": _error_response("The API key sent lacks the scope `feedback:create`, or is limited to another center"),
                        "409": _error_response(
                            "The Idempotency-Key was used before for different feedback; nothing was stored. "
                            "Send new feedback with a new key."
                        ),
                        "413": _error_response("The body is too large"),
                        "429": _error_response("Too many requests"),
                        "503": UNAVAILABLE,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "schemas": {
                **VISIT_SCHEMAS,
                "Error": ERROR,
                "Receipt": {
                    "type": "object",
                    "required": ["reference", "status"],
                    "properties": {
                        "reference": {"type": "string", "pattern": "^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"},
                        "status": {"type": "string", "enum": ["received"]},
                    },
                },
                "FeedbackInput": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["center", "rating"],
                    "properties": {
                        "center": {"type": "string", **NOT_BLANK, "maxLength": 40},
                        "service": {"type": "string", "maxLength": 40},
                        "desk": {"type": "string", "maxLength": 20},
                        "rating": RATING,
                        "aspects": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "waiting": RATING,
                                "courtesy": RATING,
                                "resolved": {"type": "boolean"},
                            },
                        },
                        "comment": {"type": "string", "maxLength": 2000},
                        "language": {"type": "string", "enum": ["az", "ru", "en"]},
                        "contact": {"type": "string", "maxLength": 200},
                        "consent": {"type": "boolean", "description": "Required (true) when contact is given"},
                    },
                },
                "CenterList": {
                    "type": "object",
                    "required": ["centers"],
                    "properties": {
                        "centers": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "names", "services"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "names": NAMES,
                                    "region": {"type": "string"},
                                    "services": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["code", "names"],
                                            "properties": {"code": {"type": "string"}, "names": NAMES},
                                        },
                                    },
                                },
                            },
                        }
                    },
                },
            }
        },
    }
