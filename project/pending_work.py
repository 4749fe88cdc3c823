import datetime as dt

WAKE_BEFORE = dt.timedelta(minutes=15)
WAKE_FOR = dt.timedelta(hours=1)
