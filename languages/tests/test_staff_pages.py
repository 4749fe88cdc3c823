"""The staff pages in French for a staff member whose browser asks for it: door mode (and
the sentences door.js writes), the sales dashboard, the admin's own labels and actions."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}


def test_door_mode_in_french(staff_client, make_performance):
    performance = make_performance()
    page = staff_client.get(reverse("admin:staff_doormode_door", args=[performance.pk]), **FR)
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="fr">' in html
    assert "Valider l'entrée" in html and "Scans récents" in html
    messages = json.loads(re.search(
        r'<script id="door-messages" type="application/json">(.*?)</script>', html).group(1))
    assert messages["Valid"] == "Valide"
    assert messages["{n} scans"] == "{n} scans"


def test_the_sales_dashboard_in_french(staff_client, make_performance):
    performance = make_performance()
    index = staff_client.get(reverse("admin:staff_salesdashboard_changelist"), **FR)
    assert "Tableau des ventes" in index.content.decode()
    page = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[performance.pk]), **FR)
    html = page.content.decode()
    assert "Places et recettes" in html and "Ventes dans le temps" in html


def test_the_admin_labels_and_actions_in_french(staff_client, make_performance):
    make_performance()
    page = staff_client.get("/admin/shows/performance/", **FR).content.decode()
    assert "Places restantes" in page  # a column of ours
    assert "Exporter les spectateurs des représentations sélectionnées (CSV)" in page
    assert "représentations" in page.lower()
    form = staff_client.get("/admin/shows/show/add/", **FR).content.decode()
    assert "titre (Français)" in form  # the venue is English in the tests
