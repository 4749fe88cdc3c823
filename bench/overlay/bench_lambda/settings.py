from project.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_lambda.urls"
