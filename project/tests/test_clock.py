import datetime as dt

from django.utils import timezone


def test_server_time_is_now_in_utc_and_never_cached(api):
    before = timezone.now()
    response = api.get("/api/v1/time/")
    after = timezone.now()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    stamp = response.json()["now"]
    assert stamp.endswith("Z")
    now = dt.datetime.fromisoformat(stamp)
    assert before - dt.timedelta(milliseconds=1) <= now <= after
