"""Staff roles: Django groups and the permissions each staff page, action and POST checks.

A staff member's role is a group (superusers have every permission). The permissions are
`staff.StaffPermissions`'s own, plus the admin's model permissions a role's work needs.
The groups are created by migration staff/0002 (a frozen copy of ROLES) and kept in step
with ROLES by `roles_sync` (seed_demo calls it).
"""

from __future__ import annotations

CHECK_IN = "staff.check_in"
SELL_AT_COUNTER = "staff.sell_at_counter"
BOOK_PAY_LATER = "staff.book_pay_later"
REFUND_OWN_CASH_SALES = "staff.refund_own_cash_sales"
GIVE_COMPS = "staff.give_comps"
REFUND_ANY_ORDER = "staff.refund_any_order"
CANCEL_PERFORMANCES = "staff.cancel_performances"
CHANGE_PRICES = "staff.change_prices"
VIEW_REPORTS = "staff.view_reports"

DOOR = "Door"
BOX_OFFICE = "Box office"
MANAGER = "Manager"

_DOOR = [CHECK_IN, "tickets.view_ticket"]
_BOX_OFFICE = [SELL_AT_COUNTER, BOOK_PAY_LATER, REFUND_OWN_CASH_SALES, "tickets.view_order",
               "tickets.view_ticket", "shows.view_performance", "shows.view_show",
               "shows.view_venue"]
# A manager runs the house: what the door and the counter do, and the rest.
_MANAGER = sorted({*_DOOR, *_BOX_OFFICE, GIVE_COMPS, REFUND_ANY_ORDER, CANCEL_PERFORMANCES,
                   CHANGE_PRICES, VIEW_REPORTS, "payments.view_payment",
                   "notifications.view_orderemail", "tickets.view_waitlistentry",
                   *(f"shows.{action}_{model}" for action in ("add", "change", "view")
                     for model in ("show", "performance", "venue")),
                   # Seat maps (issue 22): layouts, seating a performance, blocking seats.
                   *(f"seating.{action}_{model}" for action in ("add", "change", "view")
                     for model in ("layout", "performancelayout")),
                   # vouchers and gift cards (issue 24; staff/0005)
                   *(f"vouchers.{action}_{model}" for action in ("add", "change", "view")
                     for model in ("voucher", "giftcard")),
                   "vouchers.view_giftcardtransaction"})

ROLES: dict[str, list[str]] = {DOOR: _DOOR, BOX_OFFICE: _BOX_OFFICE, MANAGER: _MANAGER}


def roles_sync() -> None:
    """Each role's group holds exactly ROLES' permissions (creates missing groups)."""
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    with transaction.atomic():
        for name, perms in ROLES.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set([
                Permission.objects.get(content_type__app_label=perm.split(".")[0],
                                       codename=perm.split(".")[1]) for perm in perms])
