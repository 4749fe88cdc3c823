"""Who a venue's walk-in customers are: counter sales without an email address go to users
named `walk-in-<venue>-<n>` (staff/counter.py makes them). A leaf module: notifications asks
it without importing the counter (and so tickets) back."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

WALK_IN_PREFIX = "walk-in"


def is_walk_in(user: AbstractBaseUser) -> bool:
    """A venue's walk-in customer (no email address: nothing is sent to them)."""
    return user.get_username().startswith(f"{WALK_IN_PREFIX}-")
