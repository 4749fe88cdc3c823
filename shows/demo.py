"""Demo data for `manage.py seed_demo`: venues, shows and upcoming performances."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Performance, Show, Venue
from .services import category_add

VENUES = [
    {"name": "Grand Théâtre", "city": "Lyon", "address": "1 Place de la Comédie"},
    {"name": "Studio 2", "city": "Lyon", "address": "14 Rue de la République"},
]

# (slug, title, summary, minutes, venue index, capacity, price in cents, scenario)
SHOWS = [
    ("the-tempest", "The Tempest", "Shakespeare's island of spirits, storms and forgiveness.",
     150, 0, 400, 3500, "normal"),
    ("jazz-at-midnight", "Jazz at Midnight", "A late-night quartet from the Rhône valley.",
     90, 1, 120, 2200, "almost_sold_out"),
    ("the-nutcracker", "The Nutcracker", "The winter ballet, with live orchestra.",
     120, 0, 60, 4800, "sold_out"),
    ("improv-night", "Improv Night", "You shout the suggestions, they make the show.",
     75, 1, 80, 1200, "cancelled"),
    ("la-boheme", "La Bohème", "Puccini's Paris garrets, sung in Italian with surtitles.",
     165, 0, 500, 6500, "normal"),
    ("family-magic-hour", "Family Magic Hour", "Card tricks and vanishing rabbits for all ages.",
     60, 1, 100, 900, "normal"),
    ("stand-up-showcase", "Stand-up Showcase", "Five comedians, ten minutes each.",
     100, 1, 90, 1800, "normal"),
]

# The same shows in French (languages/content.py): title, summary.
FRENCH = {
    "the-tempest": ("La Tempête", "L'île de Shakespeare : esprits, tempêtes et pardon."),
    "jazz-at-midnight": ("Jazz à minuit", "Un quartette de fin de soirée venu de la vallée du "
                                          "Rhône."),
    "the-nutcracker": ("Casse-Noisette", "Le ballet de l'hiver, avec orchestre."),
    "improv-night": ("Soirée impro", "Vous lancez les idées, ils font le spectacle."),
    "la-boheme": ("La Bohème", "Les mansardes parisiennes de Puccini, chantées en italien, "
                               "surtitrées."),
    "family-magic-hour": ("L'heure magique en famille", "Tours de cartes et lapins qui "
                                                         "disparaissent, pour tous les âges."),
    "stand-up-showcase": ("Plateau stand-up", "Cinq humoristes, dix minutes chacun."),
}


def _categories(performance: Performance, price: int, capacity: int) -> None:
    """Full price, a reduced tariff (about 30 % off) for paid shows, and a few wheelchair
    spaces at the reduced price."""
    category_add(performance=performance, name="Full price", price_cents=price, sort_order=0)
    if price:
        reduced = price * 7 // 10 // 50 * 50
        category_add(performance=performance, name="Reduced", price_cents=reduced,
                     description="Students, under 26, jobseekers: proof at the door.",
                     sort_order=1)
        category_add(performance=performance, name="Wheelchair space", price_cents=reduced,
                     description="With a companion seat at the same price.",
                     quota=min(4, capacity), max_per_order=2, sort_order=2)


def seed(*, now: dt.datetime | None = None) -> list[Performance]:
    """Create what is missing; return the performances whose scenario needs sales."""
    now = now or timezone.now()
    venues = [Venue.objects.update_or_create(name=v["name"], defaults=v)[0] for v in VENUES]
    to_sell = []
    for index, row in enumerate(SHOWS):
        slug, title, summary, minutes, venue, capacity, price, scenario = row
        show, _ = Show.objects.get_or_create(slug=slug, defaults={
            "title": title, "summary": summary, "duration_minutes": minutes,
            "description": f"{summary}\n\nDoors open 30 minutes before the start.",
            "published": True, "translations": {"fr": {
                "title": FRENCH[slug][0], "summary": FRENCH[slug][1],
                "description": f"{FRENCH[slug][1]}\n\nOuverture des portes 30 minutes avant "
                               "le début."}},
        })
        if show.performances.filter(starts_at__gt=now).exists():
            continue  # already seeded (idempotent), and still in the future
        base = (now + dt.timedelta(days=3 + index)).replace(hour=19 + index % 2, minute=30,
                                                            second=0, microsecond=0)
        for week in range(3):
            performance = Performance.objects.create(
                show=show, venue=venues[venue], starts_at=base + dt.timedelta(weeks=week),
                capacity=capacity, currency="EUR",
                cancelled=(scenario == "cancelled" and week == 0),
                # The last week of each normal show is announced: on sale tomorrow at 10:00.
                on_sale_at=(now + dt.timedelta(days=1)).replace(
                    hour=10, minute=0, second=0, microsecond=0)
                if scenario == "normal" and week == 2 else None,
            )
            _categories(performance, price, capacity)
            if week == 0 and scenario in ("almost_sold_out", "sold_out"):
                to_sell.append(performance)
    return to_sell
