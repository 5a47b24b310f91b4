"""The OpenAPI 3.1 description of /api/v1, kept beside the views it describes."""

from __future__ import annotations

RATING = {"type": "integer", "minimum": 1, "maximum": 5}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
NAMES = {"type": "object", "additionalProperties": {"type": "string"}, "example": {"az": "…", "en": "…"}}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


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
            "/centers": {
                "get": {
                    "operationId": "listCenters",
                    "summary": "Active centers with their names and services",
                    "responses": {
                        "200": {
                            "description": "The centers",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CenterList"}}},
                        },
                        "429": _error_response("Too many requests"),
                    },
                }
            },
            "/feedback": {
                "post": {
                    "operationId": "createFeedback",
                    "summary": "Store a citizen's feedback on a visit",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "A key chosen by the client; retries with the same key store the feedback once.",
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
                            "description": "Already stored under this Idempotency-Key; nothing new was stored",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}},
                        },
                        "400": _error_response("Invalid input; `errors` maps each field to a message"),
                        "413": _error_response("The body is too large"),
                        "429": _error_response("Too many requests"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
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
                        "center": {"type": "string", "minLength": 1, "maxLength": 40},
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
