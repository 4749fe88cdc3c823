"""Demo info pages for `manage.py seed_demo`."""

from .models import InfoPage

PAGES = [
    ("visit-us", "Visit us", "Getting here, opening hours and the box office.",
     "## Getting here\n\nTram T1, stop *Opéra*. Bicycle racks on the square.\n\n"
     "## Box office\n\nOpen Tuesday to Saturday, 12:00–19:00, and one hour before each "
     "performance."),
    ("accessibility", "Accessibility", "Step-free access, hearing loops, companion seats.",
     "- Step-free access from the main entrance\n- Hearing loop in both halls\n"
     "- A free seat for a companion: ask the box office"),
    ("faq", "FAQ", "Tickets, refunds and late arrival.",
     "**Can I cancel?** Yes, from *My tickets*, until the performance starts.\n\n"
     "**Late arrival?** Latecomers are seated at a suitable break."),
]


def seed() -> None:
    for position, (slug, title, summary, body) in enumerate(PAGES):
        InfoPage.objects.get_or_create(slug=slug, defaults={
            "title": title, "summary": summary, "body": body, "published": True,
            "position": position,
        })
