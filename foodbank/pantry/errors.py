"""Errors of the pantry area; each carries its status and the data a client needs to act on it."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, NotFound


class VenueNotFound(NotFound):
    slug = "venue-not-found"
    title = "No such venue"


class TemplateNotFound(NotFound):
    slug = "parcel-template-not-found"
    title = "No such parcel template"


class TemplateStatusConflict(Conflict):
    """Retiring a retired parcel template, or restoring one in use."""

    slug = "parcel-template-status"
    title = "Not possible while the parcel template is retired (or in use)"


class EventNotFound(NotFound):
    slug = "pantry-event-not-found"
    title = "No such pantry day"


class SlotNotFound(NotFound):
    slug = "slot-not-found"
    title = "No such time slot"


class RegistrationNotFound(NotFound):
    """Also what a consultant gets for a registration of a household they may not see."""

    slug = "registration-not-found"
    title = "No such registration"


class EventStatusConflict(Conflict):
    """The action is not possible in the event's status (`status`, `action`, `allowed_from`)."""

    slug = "pantry-event-status"
    title = "Not possible in the pantry day's current status"


class RegistrationStatusConflict(Conflict):
    slug = "registration-status"
    title = "Not possible in the registration's current status"


class SlotFull(Conflict):
    """No place left in the slot; `other_slots` lists the event's slots that still have places."""

    slug = "slot-full"
    title = "The time slot is full"


class AlreadyRegistered(Conflict):
    slug = "already-registered"
    title = "The household is already registered for this pantry day"


class CapacityBelowBookings(Conflict):
    slug = "capacity-below-bookings"
    title = "More households are booked than the new capacity"


class NoTemplate(Conflict):
    """Some household sizes have no parcel template in the event (`sizes`, `registration_ids`)."""

    slug = "no-parcel-template"
    title = "No parcel template fits"


class NoParcel(Conflict):
    slug = "no-parcel"
    title = "No parcel was allocated"


class WalkInBufferEmpty(Conflict):
    slug = "walk-in-buffer-empty"
    title = "Nothing is left for walk-ins"


class UnusualDate(Conflict):
    """Planning a day in the past or far ahead, starting a day that is not today, closing one before it
    took place: usually a typo or the wrong day's page, so it is done only when confirmed."""

    slug = "pantry-day-unusual-date"
    title = "The pantry day's date is unusual: confirm to go ahead"
