"""The admin's labels of our models (apps, models, fields, help texts) in the staff
member's language.

They are translated when the apps are ready, not by `verbose_name=_(…)` in each model: that
would write a migration in every app for a label. Field.deconstruct() reads the label given
in the model (`_verbose_name`) and migrations read `Meta.original_attrs`, so nothing here
changes a migration. LABELS lists each label once, for makemessages; a test fails when a
model gains a label that is not listed (languages/tests/test_catalogues.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, gettext_noop

APPS = ("shows", "tickets", "info", "payments", "notifications", "staff", "languages",
        "seating", "vouchers")

LABELS = (
    # Seat maps (issue 22)
    gettext_noop("taken seat"),
    gettext_noop("taken seats"),
    gettext_noop("active"),
    gettext_noop("layout"),
    gettext_noop("layouts"),
    gettext_noop("copied from"),
    gettext_noop("section"),
    gettext_noop("sections"),
    gettext_noop("row"),
    gettext_noop("number"),
    gettext_noop("row rank"),
    gettext_noop("x"),
    gettext_noop("y"),
    gettext_noop("zone"),
    gettext_noop("wheelchair"),
    gettext_noop("A wheelchair space."),
    gettext_noop("companion"),
    gettext_noop("A companion seat beside a wheelchair space."),
    gettext_noop("restricted view"),
    gettext_noop("seated performance"),
    gettext_noop("seated performances"),
    gettext_noop("zones"),
    # vouchers and gift cards (issue 24)
    gettext_noop('paid by gift card cents'),
    gettext_noop('discount cents'),
    gettext_noop('purchase payment'),
    gettext_noop('purchase payments'),
    gettext_noop('purchase'),
    gettext_noop('Vouchers and gift cards'),
    gettext_noop('voucher'),
    gettext_noop('vouchers'),
    gettext_noop('Matched in any case; leave empty for a random one.'),
    gettext_noop('value'),
    gettext_noop('Percent (0–100), or cents for an amount off or a fixed price.'),
    gettext_noop('reveal hidden'),
    gettext_noop('Lets its holder buy hidden categories (in its scope).'),
    gettext_noop('valid from'),
    gettext_noop('valid until'),
    gettext_noop('max uses'),
    gettext_noop('Empty: unlimited.'),
    gettext_noop('uses per'),
    gettext_noop('At most this many seats discounted per order.'),
    gettext_noop('uses'),
    gettext_noop('active'),
    gettext_noop('comment'),
    gettext_noop('categories'),
    gettext_noop('voucher uses'),
    gettext_noop('voucher discount cents'),
    gettext_noop('voucher released at'),
    gettext_noop('refunded at'),
    gettext_noop('gift card email'),
    gettext_noop('gift card emails'),
    gettext_noop('gift card'),
    gettext_noop('gift cards'),
    gettext_noop('balance cents'),
    gettext_noop('recipient email'),
    gettext_noop('message'),
    gettext_noop('bought by'),
    gettext_noop('gift card transaction'),
    gettext_noop('gift card transactions'),
    gettext_noop('balance after cents'),
    gettext_noop('created by'),
    gettext_noop('gift card purchase'),
    gettext_noop('gift card purchases'),
    gettext_noop('buyer'),
    gettext_noop('paid at'),
    gettext_noop("refund policy"),
    gettext_noop("refund policies"),
    gettext_noop("customer may cancel"),
    gettext_noop("Off: customers cannot cancel their orders themselves."),
    gettext_noop("hours before"),
    gettext_noop("Customers may cancel until this many hours before the start."),
    gettext_noop("fee fixed cents"),
    gettext_noop("fee percent"),
    gettext_noop("Empty: customers may cancel for a full refund until the start."),
    gettext_noop("on sale at"),
    gettext_noop("Empty: on sale as soon as the show is published."),
    gettext_noop("sales end at"),
    gettext_noop("Empty: on sale until the performance starts."),
    gettext_noop("Empty: the show's policy."),
    gettext_noop("waiting room"),
    gettext_noop("Queue visitors first come, first served and admit them at the "
                 "configured rate (for an announced on-sale)."),
    # Split seat counters (issue 20)
    gettext_noop("seat counter rows"),
    gettext_noop("Leave at 1. For an on-sale expected to pass about a thousand "
                 "reservations a second, raise it (16 is plenty): the seat count is "
                 "split over that many rows that sell in parallel, never past capacity. "
                 "Not for a seated performance."),
    gettext_noop("performance counter"),
    gettext_noop("performance counters"),
    gettext_noop("slot"),
    gettext_noop("sold"),
    gettext_noop("price category"),
    gettext_noop("price categories"),
    gettext_noop("e.g. \"proof of eligibility at the door\""),
    gettext_noop("quota"),
    gettext_noop("Seats of this category at most (inside the performance's capacity)."),
    gettext_noop("max per order"),
    gettext_noop("sort order"),
    gettext_noop("hidden"),
    gettext_noop("Only a voucher reveals it."),
    gettext_noop("refund cents"),
    gettext_noop("fee cents"),
    gettext_noop("order line"),
    gettext_noop("order lines"),
    gettext_noop("category"),
    gettext_noop("unit price cents"),
    gettext_noop("performance cancellation"),
    gettext_noop("performance cancellations"),
    gettext_noop("requested at"),
    gettext_noop("reason"),
    gettext_noop("finished at"),
    gettext_noop("refund due cents"),
    gettext_noop("staff permission"),
    gettext_noop("staff permissions"),
    gettext_noop("address"),
    gettext_noop("amount cents"),
    gettext_noop("at"),
    gettext_noop("attachment"),
    gettext_noop("attachments"),
    gettext_noop("attempts"),
    gettext_noop("body"),
    gettext_noop("cancelled"),
    gettext_noop("cancelled at"),
    gettext_noop("capacity"),
    gettext_noop("checked at"),
    gettext_noop("checked in at"),
    gettext_noop("city"),
    gettext_noop("claimed at"),
    gettext_noop("client secret"),
    gettext_noop("code"),
    gettext_noop("confirmed at"),
    gettext_noop("created at"),
    gettext_noop("currency"),
    gettext_noop("customer"),
    gettext_noop("customer id"),
    gettext_noop("customer language"),
    gettext_noop("customer languages"),
    gettext_noop("description"),
    gettext_noop("detail"),
    gettext_noop("door mode"),
    # The counter and the end-of-day report (staff/models.py CounterSale).
    gettext_noop("counter sale"),
    gettext_noop("counter sales"),
    gettext_noop("sold by"),
    gettext_noop("sold at"),
    gettext_noop("method"),
    gettext_noop("list price cents"),
    gettext_noop("comp reason"),
    gettext_noop("customer name"),
    gettext_noop("customer email"),
    gettext_noop("paid method"),
    gettext_noop("paid by"),
    gettext_noop("paid at"),
    gettext_noop("given cents"),
    gettext_noop("change cents"),
    gettext_noop("box-office counter"),
    gettext_noop("end-of-day report"),
    gettext_noop("door scan"),
    gettext_noop("door scans"),
    gettext_noop("duration minutes"),
    gettext_noop("event id"),
    gettext_noop("expires at"),
    gettext_noop("file"),
    gettext_noop("fingerprint"),
    gettext_noop("id"),
    gettext_noop("ID"),
    gettext_noop("idempotency record"),
    gettext_noop("idempotency records"),
    gettext_noop("info page"),
    gettext_noop("info pages"),
    gettext_noop("Info pages"),
    gettext_noop("intent id"),
    gettext_noop("joined at"),
    gettext_noop("key"),
    gettext_noop("kind"),
    gettext_noop("language"),
    gettext_noop("Languages"),
    gettext_noop("last error"),
    gettext_noop("Lower comes first."),
    gettext_noop("Markdown. Rendered and sanitized for the site."),
    gettext_noop("message id"),
    gettext_noop("min seats"),
    gettext_noop("name"),
    gettext_noop("next attempt at"),
    gettext_noop("Offer freed seats to the waiting list first, in the order people joined."),
    gettext_noop("offer order"),
    gettext_noop("offered at"),
    gettext_noop("order"),
    gettext_noop("order email"),
    gettext_noop("order emails"),
    gettext_noop("Order emails"),
    gettext_noop("orders"),
    gettext_noop("Orders and tickets"),
    gettext_noop("page"),
    gettext_noop("payment"),
    gettext_noop("Payments"),
    gettext_noop("payments"),
    gettext_noop("performance"),
    gettext_noop("performances"),
    gettext_noop("position"),
    gettext_noop("poster"),
    gettext_noop("price cents"),
    gettext_noop("published"),
    gettext_noop("quantity"),
    gettext_noop("received at"),
    gettext_noop("recipient"),
    gettext_noop("refund id"),
    gettext_noop("refund reason"),
    gettext_noop("refunded cents"),
    gettext_noop("requested by"),
    gettext_noop("result"),
    gettext_noop("sales dashboard"),
    gettext_noop("seat holding"),
    gettext_noop("seat holdings"),
    gettext_noop("seats"),
    gettext_noop("seats sold"),
    gettext_noop("sent at"),
    gettext_noop("setup client secret"),
    gettext_noop("setup intent id"),
    gettext_noop("show"),
    gettext_noop("shows"),
    gettext_noop("Shows and performances"),
    gettext_noop("size"),
    gettext_noop("slug"),
    gettext_noop("staff"),
    gettext_noop("Staff tools at the door and in the office"),
    gettext_noop("starts at"),
    gettext_noop("status"),
    gettext_noop("status code"),
    gettext_noop("stripe customer"),
    gettext_noop("stripe customers"),
    gettext_noop("summary"),
    gettext_noop("ticket"),
    gettext_noop("tickets"),
    gettext_noop("title"),
    gettext_noop("total cents"),
    gettext_noop("translations"),
    gettext_noop("type"),
    gettext_noop("updated at"),
    gettext_noop("user"),
    gettext_noop("venue"),
    gettext_noop("venues"),
    gettext_noop("waiting list"),
    gettext_noop("waitlist entry"),
    gettext_noop("webhook event"),
    gettext_noop("webhook events"),
)


def model_labels(app_labels: Iterable[str] = APPS) -> dict[str, str]:
    """Every label of the apps' models → where it is used."""
    found: dict[str, str] = {}
    for label in app_labels:
        config = apps.get_app_config(label)
        found.setdefault(str(config.verbose_name), label)
        for model in config.get_models():
            opts = model._meta
            for text in (opts.verbose_name, opts.verbose_name_plural):
                found.setdefault(str(text), opts.label)
            for field in opts.get_fields():
                for text in (getattr(field, "verbose_name", None), getattr(field, "help_text", "")):
                    if text:
                        found.setdefault(str(text), f"{opts.label}.{field.name}")
    return found


def translate_model_labels(app_labels: Iterable[str] = APPS) -> None:
    """Make every label of the apps' models lazy: shown in the active language."""
    def lazy(text):
        return text if isinstance(text, Promise) or not text else gettext_lazy(text)

    for label in app_labels:
        config = apps.get_app_config(label)
        config.verbose_name = lazy(config.verbose_name)
        for model in config.get_models():
            opts = model._meta
            opts.verbose_name = lazy(opts.verbose_name)
            opts.verbose_name_plural = lazy(opts.verbose_name_plural)
            for field in opts.get_fields():
                if getattr(field, "verbose_name", None):
                    field.verbose_name = lazy(field.verbose_name)
                if getattr(field, "help_text", ""):
                    field.help_text = lazy(field.help_text)
