"""What the pantry API accepts and returns. Households appear by code, never by identity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.lib.messages import Message
from foodbank.lib.validation import AN_ID, PLANNED_DAY
from foodbank.models import (
    Municipality,
    PantryEventStatus,
    RegistrationStatus,
    ReservationStatus,
    Zone,
)
from foodbank.pantry.services.planning import EventChanges, NewEvent, NewTemplate, Slot, TemplateLine

PEOPLE = validate.Range(min=1, max=50)


class VenueIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))
    municipality = fields.Enum(Municipality, by_value=True, required=True)


class VenueOut(VenueIn):
    id = fields.Integer()


class TemplateLineIn(Schema):
    """An item, or a category: any of its items, chosen FEFO."""

    item_id = fields.Integer(strict=True, validate=AN_ID)
    category_id = fields.Integer(strict=True, validate=AN_ID)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def item_or_category(self, _data: dict[str, Any], original: Any, **_: Any) -> None:
        # What was sent, even if it did not load: a bad id is said once, at its own field.
        if not isinstance(original, Mapping):
            return
        given = {name for name in ("item_id", "category_id") if original.get(name) is not None}
        if len(given) == 2:
            raise ValidationError(Message("Give item_id or category_id, not both."), field_name="category_id")
        if not given:
            raise ValidationError(Message("Give item_id or category_id."), field_name="item_id")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> TemplateLine:
        return TemplateLine(**data)


class TemplateIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    min_people = fields.Integer(required=True, strict=True, validate=PEOPLE)
    max_people = fields.Integer(required=True, strict=True, validate=PEOPLE)
    ready_to_eat_only = fields.Boolean(
        load_default=False, metadata={"description": "For households without cooking facilities."}
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    lines = fields.List(fields.Nested(TemplateLineIn), required=True, validate=validate.Length(min=1, max=100))

    @validates_schema(skip_on_field_errors=False)  # said with the other mistakes
    def band(self, data: dict[str, Any], **_: Any) -> None:
        if "min_people" in data and "max_people" in data and data["min_people"] > data["max_people"]:
            raise ValidationError(Message("Must be at least min_people."), field_name="max_people")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> NewTemplate:
        return NewTemplate(**{**data, "lines": tuple(data["lines"])})


class TemplateLineOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    quantity = fields.Integer()


class TemplateOut(Schema):
    id = fields.Integer()
    name = fields.String()
    min_people = fields.Integer()
    max_people = fields.Integer()
    ready_to_eat_only = fields.Boolean()
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(TemplateLineOut))
    retired_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "When it was retired (no longer offered for new days)."}
    )


class TemplateFilter(Schema):
    include_retired = fields.Boolean(load_default=False, metadata={"description": "Retired templates too."})


class SlotIn(Schema):
    start_time = fields.Time(required=True, metadata={"description": "HH:MM, Japan time."})
    end_time = fields.Time(required=True)
    capacity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1000), metadata={"description": "Households."}
    )

    @validates_schema(skip_on_field_errors=False)  # said with the other mistakes, as they are typed
    def order(self, data: dict[str, Any], **_: Any) -> None:
        if "start_time" in data and "end_time" in data and data["end_time"] <= data["start_time"]:
            raise ValidationError(Message("Must be after start_time."), field_name="end_time")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Slot:
        return Slot(**data)


class SlotCapacityIn(Schema):
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))


WALK_IN_PEOPLE = validate.Range(min=0, max=10_000)
WALK_IN_PEOPLE_DOC = {"description": "Walk-ins expected, in people."}
WALK_IN_SIZE = validate.Range(min=1, max=20)
WALK_IN_SIZE_DOC = {"description": "Typical walk-in household size: walk-in parcels = people / size, rounded up."}


class EventIn(Schema):
    venue_id = fields.Integer(required=True, strict=True)
    event_date = fields.Date(required=True, validate=PLANNED_DAY)
    slots = fields.List(fields.Nested(SlotIn), required=True, validate=validate.Length(min=1, max=50))
    expected_walk_in_people = fields.Integer(
        load_default=0, strict=True, validate=WALK_IN_PEOPLE, metadata=WALK_IN_PEOPLE_DOC
    )
    walk_in_household_size = fields.Integer(
        load_default=3, strict=True, validate=WALK_IN_SIZE, metadata=WALK_IN_SIZE_DOC
    )
    template_ids = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "The parcel templates the day uses (size bands of one kind must not overlap)."},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> NewEvent:
        return NewEvent(**{**data, "slots": tuple(data["slots"]), "template_ids": tuple(data["template_ids"])})


class EventUpdate(Schema):
    """What may change before the day; the date only until stock is allocated."""

    venue_id = fields.Integer(strict=True)
    event_date = fields.Date()
    expected_walk_in_people = fields.Integer(strict=True, validate=WALK_IN_PEOPLE, metadata=WALK_IN_PEOPLE_DOC)
    walk_in_household_size = fields.Integer(strict=True, validate=WALK_IN_SIZE, metadata=WALK_IN_SIZE_DOC)
    template_ids = fields.List(fields.Integer(strict=True), validate=validate.Length(max=20))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> EventChanges:
        return EventChanges.of(**data)


class EventFilter(Schema):
    status = fields.Enum(PantryEventStatus, by_value=True)
    since = fields.Date()
    until = fields.Date()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class SlotOut(Schema):
    id = fields.Integer()
    start_time = fields.Time()
    end_time = fields.Time()
    capacity = fields.Integer()
    booked = fields.Integer()
    places_left = fields.Integer()


class EventOut(Schema):
    id = fields.Integer()
    venue_id = fields.Integer()
    venue_name = fields.String(attribute="venue.name")
    municipality = fields.Enum(Municipality, by_value=True, attribute="venue.municipality")
    event_date = fields.Date()
    status = fields.Enum(PantryEventStatus, by_value=True)
    expected_walk_in_people = fields.Integer()
    walk_in_household_size = fields.Integer()
    walk_in_parcels = fields.Integer(metadata={"description": "Prepared by the latest allocation."})
    walk_in_reservation_id = fields.Integer(allow_none=True)
    template_ids = fields.List(fields.Integer())
    slots = fields.List(fields.Nested(SlotOut))
    note = fields.String(allow_none=True)
    allocated_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class RegistrationIn(Schema):
    household_id = fields.Integer(required=True, strict=True)
    slot_id = fields.Integer(required=True, strict=True)
    people = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=PEOPLE, metadata={"description": "Default: size."}
    )
    referral_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class RegistrationOut(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    slot_id = fields.Integer()
    household_id = fields.Integer()
    household_code = fields.String()
    people = fields.Integer()
    referral_id = fields.Integer(allow_none=True)
    status = fields.Enum(RegistrationStatus, by_value=True)
    template_id = fields.Integer(allow_none=True)
    reservation_id = fields.Integer(allow_none=True)
    distribution_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    status_changed_at = fields.AwareDateTime(allow_none=True)


class RegistrationFilter(Schema):
    status = fields.Enum(RegistrationStatus, by_value=True)
    slot_id = fields.Integer()


class CheckInIn(Schema):
    people = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=PEOPLE,
        metadata={"description": "People served, if not as registered."},
    )


class WalkInIn(Schema):
    people = fields.Integer(required=True, strict=True, validate=PEOPLE, metadata={"description": "People served."})
    parcels = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=10))


class AllocateIn(Schema):
    allow_partial = fields.Boolean(
        load_default=True,
        metadata={"description": "Reserve what there is and report shortages (false: 409 and nothing changes)."},
    )


class SubstituteOut(Schema):
    item_id = fields.Integer()
    item_name = fields.String()
    available = fields.Integer(
        metadata={"description": "Units usable on the event date, free once the parcels are reserved."}
    )


class PantryShortageOut(Schema):
    item_id = fields.Integer(allow_none=True, metadata={"description": "Null for a category line."})
    item_name = fields.String(allow_none=True)
    category_id = fields.Integer()
    category_name = fields.String()
    requested = fields.Integer()
    allocated = fields.Integer()
    missing = fields.Integer()
    parcels = fields.Integer(metadata={"description": "Parcels short of it (the walk-in buffer counts as one)."})
    unusable = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "Free units left that cannot be used on the day, by reason: on_hold, recalled, "
            "use_by_passed, best_before_too_close, no_date, allergen (refused to a household short of it)."
        },
    )
    avoided = fields.List(
        fields.String(),
        metadata={
            "description": "For `allergen`: what the households short of it avoid that those units hold "
            "(allergen codes, needs_cooking, or label_unreadable for an allergen label that could not be read)."
        },
    )
    substitutes = fields.List(
        fields.Nested(SubstituteOut),
        metadata={
            "description": "Other items of the category with units free and usable on the day by every "
            "household short of it (never an item whose allergen label is unreadable when one avoids anything)."
        },
    )


class AllocationOut(Schema):
    event_id = fields.Integer()
    status = fields.Enum(PantryEventStatus, by_value=True)
    registrations = fields.Integer(metadata={"description": "Registrations given a parcel now."})
    kept_picked = fields.Integer(metadata={"description": "Registrations whose parcel was already picked: kept."})
    without_parcel = fields.List(
        fields.Integer(), metadata={"description": "Registrations nothing could be found for."}
    )
    walk_in_parcels = fields.Integer()
    reservations_created = fields.Integer()
    reservations_released = fields.Integer()
    units_reserved = fields.Integer()
    complete = fields.Boolean()
    shortages = fields.List(fields.Nested(PantryShortageOut))


class PickingRowOut(Schema):
    zone = fields.Enum(Zone, by_value=True)
    location_code = fields.String()
    item_id = fields.Integer()
    item_name = fields.String()
    lot_id = fields.Integer()
    expiry = fields.String(allow_none=True, metadata={"description": "As printed: YYYY-MM-DD or YYYY-MM."})
    crop_year = fields.Integer(allow_none=True)
    lot_code = fields.String(allow_none=True)
    quantity = fields.Integer()
    parcels = fields.Integer(metadata={"description": "Parcels (reservations) this lot goes into."})


class PickingListOut(Schema):
    event_id = fields.Integer()
    event_date = fields.Date()
    rows = fields.List(fields.Nested(PickingRowOut), metadata={"description": "Zone, location, item, lot (FEFO)."})
    units = fields.Integer()
    parcels = fields.Integer()


class PackedItemOut(Schema):
    item_id = fields.Integer()
    item_name = fields.String()
    zone = fields.Enum(Zone, by_value=True)
    quantity = fields.Integer()


class PackingListOut(Schema):
    registration_id = fields.Integer(allow_none=True)
    household_code = fields.String(allow_none=True, metadata={"description": "Null for the walk-in buffer."})
    walk_in_buffer = fields.Boolean()
    people = fields.Integer(allow_none=True)
    parcels = fields.Integer()
    slot_start_time = fields.Time(allow_none=True)
    status = fields.String(allow_none=True, metadata={"description": "The registration's status."})
    avoids = fields.List(fields.String(), metadata={"description": "Allergen tags kept out of this parcel."})
    template_id = fields.Integer(allow_none=True)
    template_name = fields.String(allow_none=True)
    reservation_id = fields.Integer(allow_none=True)
    reservation_status = fields.Enum(ReservationStatus, by_value=True, allow_none=True)
    items = fields.List(fields.Nested(PackedItemOut))
    units = fields.Integer()


class HandOutLineOut(Schema):
    lot_id = fields.Integer()
    item_id = fields.Integer()
    quantity = fields.Integer()


class CheckInOut(Schema):
    registration = fields.Nested(RegistrationOut)
    distribution_id = fields.Integer()
    people = fields.Integer()
    units = fields.Integer()


class MissingOut(Schema):
    item_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    missing = fields.Integer()


class WalkInOut(Schema):
    distribution_id = fields.Integer()
    event_id = fields.Integer()
    people = fields.Integer()
    parcels = fields.Integer()
    units = fields.Integer()
    lines = fields.List(fields.Nested(HandOutLineOut))
    missing = fields.List(
        fields.Nested(MissingOut), metadata={"description": "What the buffer no longer held for these parcels."}
    )


class CategoryKgOut(Schema):
    category_id = fields.Integer()
    category_code = fields.String()
    category_name = fields.String()
    units = fields.Integer()
    kg = fields.Decimal(as_string=True)


class PantrySummaryOut(Schema):
    """The figures of a pantry day. Households are counted, never named."""

    event_id = fields.Integer()
    event_date = fields.Date()
    status = fields.Enum(PantryEventStatus, by_value=True)
    households_registered = fields.Integer(metadata={"description": "Registrations not cancelled."})
    households_checked_in = fields.Integer(metadata={"description": "Registered households served."})
    no_shows = fields.Integer()
    cancelled = fields.Integer()
    people_registered_served = fields.Integer()
    walk_ins = fields.Integer(metadata={"description": "Walk-in hand-outs."})
    walk_in_people = fields.Integer()
    people_served = fields.Integer(metadata={"description": "Registered and walk-in (延べ for the day)."})
    units_handed_out = fields.Integer(metadata={"description": "Net of goods returned since."})
    kg_handed_out = fields.Decimal(as_string=True)
    kg_by_category = fields.List(fields.Nested(CategoryKgOut))
    units_reserved = fields.Integer(metadata={"description": "Set aside by the allocation in force."})
    units_released = fields.Integer(metadata={"description": "Of those, given back to the shelves."})
    units_still_reserved = fields.Integer()
