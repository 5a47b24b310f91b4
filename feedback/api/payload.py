"""Turning a JSON body into the survey form's fields, with type errors reported per field."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

ALLOWED_FIELDS = {"center", "service", "desk", "rating", "aspects", "comment", "language", "contact", "consent"}
ASPECT_FIELDS = {"waiting": "waiting_rating", "courtesy": "courtesy_rating", "resolved": "matter_resolved"}


def _whole_number(value) -> int | None:
    """The value as an int if JSON Schema calls it an integer, else None.

    JSON has one number type: 4.0 is the integer 4 to JSON Schema, and some clients' encoders
    write every number that way. 4.5, NaN and infinity are not whole numbers, and bool is an int
    in Python but not a number in JSON.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def to_formdata(payload: dict) -> tuple[MultiDict, dict[str, str]]:
    """Map the API's JSON onto the form's field names; return the data and any type errors."""
    errors: dict[str, str] = {}
    data = MultiDict()
    for key in sorted(set(payload) - ALLOWED_FIELDS):
        errors[key] = "unknown field"

    rating = payload.get("rating")
    if rating is None:
        errors["rating"] = "required: a whole number from 1 to 5"
    elif _whole_number(rating) is None:
        errors["rating"] = "must be a whole number from 1 to 5"
    else:
        data["rating"] = str(_whole_number(rating))

    for key in ("center", "service", "desk", "comment", "contact", "language"):
        value = payload.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[key] = "must be a string"
        else:
            data[key] = value
    if not isinstance(payload.get("center"), str) or not payload.get("center", "").strip():
        errors.setdefault("center", "required: a center code from GET /api/v1/centers")

    consent = payload.get("consent")
    if consent is not None and not isinstance(consent, bool):
        errors["consent"] = "must be true or false"
    elif consent:
        data["consent"] = "y"

    aspects = payload.get("aspects")
    if aspects is not None:
        if not isinstance(aspects, dict):
            errors["aspects"] = "must be an object"
        else:
            for key in sorted(set(aspects) - set(ASPECT_FIELDS)):
                errors[f"aspects.{key}"] = "unknown aspect"
            for key in ("waiting", "courtesy"):
                value = aspects.get(key)
                if value is None:
                    continue
                if _whole_number(value) is None:
                    errors[f"aspects.{key}"] = "must be a whole number from 1 to 5"
                else:
                    data[ASPECT_FIELDS[key]] = str(_whole_number(value))
            resolved = aspects.get("resolved")
            if resolved is not None:
                if not isinstance(resolved, bool):
                    errors["aspects.resolved"] = "must be true or false"
                else:
                    data["matter_resolved"] = "yes" if resolved else "no"
    return data, errors


def form_errors(form) -> dict[str, str]:
    """Report a form's errors under the API's field names."""
    reverse = {v: f"aspects.{k}" for k, v in ASPECT_FIELDS.items()}
    return {reverse.get(name, name): str(messages[0]) for name, messages in form.errors.items()}
