"""What the households API accepts and returns. Identity has its own schemas and its own endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.lib.errors import WrittenMessages
from foodbank.lib.messages import N_, Message
from foodbank.lib.validation import PLANNED_DAY
from foodbank.models import Municipality
from foodbank.stock.schemas import RequestLineIn

MEMBERS = validate.Range(min=0, max=30)
MEMBER_FIELDS = ("infants", "children", "adults", "seniors")
NO_MEMBERS = Message("Count at least one member (infants, children, adults, seniors).")


class IdentityIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_kana = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\-() ]{6,20}$", error=N_("Digits only."))
    )
    postal_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{3}-?\d{4}$", error=N_("Like 283-0802."))
    )
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class IdentityOut(Schema):
    """Personal data: shown to coordinators, admins and the referring agency only; every read is logged."""

    household_id = fields.Integer()
    name = fields.String()
    name_kana = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class HouseholdFields(Schema):
    municipality = fields.Enum(Municipality, by_value=True, required=True)
    infants = fields.Integer(load_default=0, strict=True, validate=MEMBERS)
    children = fields.Integer(load_default=0, strict=True, validate=MEMBERS)
    adults = fields.Integer(load_default=0, strict=True, validate=MEMBERS)
    seniors = fields.Integer(load_default=0, strict=True, validate=MEMBERS)
    allergens = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list)
    no_pork = fields.Boolean(load_default=False)
    halal = fields.Boolean(load_default=False)
    vegetarian = fields.Boolean(load_default=False)
    ready_to_eat_only = fields.Boolean(
        load_default=False, metadata={"description": "No cooking facilities: ready-to-eat food only."}
    )
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema(skip_on_field_errors=False)
    def someone(self, data: dict[str, Any], **_: Any) -> None:
        # The service says it too (a change of members goes through it); here it is said with the rest.
        if all(name in data for name in MEMBER_FIELDS) and sum(data[name] for name in MEMBER_FIELDS) < 1:
            raise ValidationError(NO_MEMBERS, "adults")


@dataclass(frozen=True)
class NewIdentity:
    """Who a new household is (stored apart from it)."""

    name: str
    name_kana: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class NewHousehold:
    """The command to register a household: what `HouseholdIn` loads to, and what a page builds from
    its two forms (`of`)."""

    municipality: Municipality
    identity: NewIdentity
    infants: int = 0
    children: int = 0
    adults: int = 0
    seniors: int = 0
    allergens: tuple[str, ...] = ()
    no_pork: bool = False
    halal: bool = False
    vegetarian: bool = False
    ready_to_eat_only: bool = False
    notes: str | None = None
    members: tuple[str, ...] = field(default=("infants", "children", "adults", "seniors"), init=False, repr=False)

    @classmethod
    def of(cls, household: Mapping[str, Any], identity: Mapping[str, Any]) -> NewHousehold:
        return cls(
            **{**household, "allergens": tuple(household.get("allergens") or ())}, identity=NewIdentity(**identity)
        )

    def household_columns(self) -> dict[str, Any]:
        """The household row's values (identity apart)."""
        return {
            "municipality": self.municipality,
            **{name: getattr(self, name) for name in self.members},
            "allergens": list(self.allergens),
            "no_pork": self.no_pork,
            "halal": self.halal,
            "vegetarian": self.vegetarian,
            "ready_to_eat_only": self.ready_to_eat_only,
            "notes": self.notes,
        }


class HouseholdIn(HouseholdFields):
    identity = fields.Nested(IdentityIn, required=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> NewHousehold:
        return NewHousehold.of({k: v for k, v in data.items() if k != "identity"}, data["identity"])


@dataclass(frozen=True)
class HouseholdChanges:
    """A change of a household's facts (`HouseholdUpdate`): only the fields named in `changed` change
    (notes may change to none)."""

    changed: frozenset[str]
    municipality: Municipality | None = None
    infants: int | None = None
    children: int | None = None
    adults: int | None = None
    seniors: int | None = None
    allergens: tuple[str, ...] | None = None
    no_pork: bool | None = None
    halal: bool | None = None
    vegetarian: bool | None = None
    ready_to_eat_only: bool | None = None
    notes: str | None = None

    @classmethod
    def of(cls, **given: Any) -> HouseholdChanges:
        if "allergens" in given:
            given["allergens"] = tuple(given["allergens"])
        return cls(changed=frozenset(given), **given)

    def columns(self) -> dict[str, Any]:
        """The household row's new values, by column."""
        values = {name: getattr(self, name) for name in sorted(self.changed)}
        if self.allergens is not None:
            values["allergens"] = list(self.allergens)
        return values


class HouseholdUpdate(Schema):
    """Changeable facts. The code, ids and dates are not: sending them is an error."""

    municipality = fields.Enum(Municipality, by_value=True)
    infants = fields.Integer(strict=True, validate=MEMBERS)
    children = fields.Integer(strict=True, validate=MEMBERS)
    adults = fields.Integer(strict=True, validate=MEMBERS)
    seniors = fields.Integer(strict=True, validate=MEMBERS)
    allergens = fields.List(fields.String(validate=validate.Length(max=32)))
    no_pork = fields.Boolean()
    halal = fields.Boolean()
    vegetarian = fields.Boolean()
    ready_to_eat_only = fields.Boolean()
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> HouseholdChanges:
        return HouseholdChanges.of(**data)


class HouseholdOut(Schema):
    """What warehouse volunteers see too: a code, the size, and what must not be in the parcel."""

    id = fields.Integer()
    code = fields.String()
    municipality = fields.Enum(Municipality, by_value=True)
    infants = fields.Integer()
    children = fields.Integer()
    adults = fields.Integer()
    seniors = fields.Integer()
    size = fields.Integer()
    allergens = fields.List(fields.String())
    no_pork = fields.Boolean()
    halal = fields.Boolean()
    vegetarian = fields.Boolean()
    ready_to_eat_only = fields.Boolean()
    last_activity_on = fields.Date(allow_none=True)
    anonymised = fields.Function(lambda h: h.anonymised_at is not None)


class HouseholdDetailOut(HouseholdOut):
    """For coordinators, admins and the referring agency: with the notes."""

    notes = fields.String(allow_none=True)


class HouseholdCreatedOut(HouseholdDetailOut):
    warnings = fields.List(
        WrittenMessages(),
        metadata={
            "description": "Possible duplicates (shown to coordinators and admins only): field, message, message_id, "
            "params."
        },
    )


class HouseholdFilter(Schema):
    code = fields.String(validate=validate.Length(max=20))
    municipality = fields.Enum(Municipality, by_value=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class HouseholdSearchIn(Schema):
    """A search term in the body, not in the URL: a name or phone must not reach an access log, a proxy's
    log or a browser's history."""

    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "All or part of a code (`0010`), or, for those who may read identity, of a name or "
            "kana (hiragana, katakana, full or half width alike) or a phone number (digits; hyphens and spaces "
            "do not matter)."
        },
    )
    limit = fields.Integer(load_default=50, strict=True, validate=validate.Range(min=1, max=50))


class HouseholdFoundOut(Schema):
    household = fields.Nested(HouseholdOut)
    name = fields.String(allow_none=True, metadata={"description": "Null unless you may read its identity."})
    name_kana = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    by_code = fields.Boolean(metadata={"description": "Its code contains the term."})


class AllocationIn(Schema):
    """Reserve items for a household, FEFO, leaving out its allergens and honouring its dietary needs:
    the items listed in `lines`, or, without lines, the parcel template that fits its size."""

    distribution_date = fields.Date(required=True, validate=PLANNED_DAY)
    lines = fields.List(
        fields.Nested(RequestLineIn),
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Leave out to use the parcel template for the household's size."},
    )
    allow_partial = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
