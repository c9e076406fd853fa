"""The load generator's user: GET one of BENCH_PATHS again and again, no think time.

Run by steps.run_load in its own process (locust, headless). BENCH_PATHS holds one path per
line (a random one per request), BENCH_COOKIE the session cookie of a signed-in member, and
BENCH_STATUS the answer every request must get (a redirect is not followed).
"""

import os
import random

from locust import FastHttpUser, constant, task

PATHS = [line for line in os.environ.get("BENCH_PATHS", "/healthz").splitlines() if line]
STATUS = int(os.environ.get("BENCH_STATUS", "200"))
HEADERS = {"Cookie": os.environ["BENCH_COOKIE"]} if os.environ.get("BENCH_COOKIE") else {}


class Visitor(FastHttpUser):
    wait_time = constant(0)
    # One connection per simulated client, kept open, as a browser does.
    concurrency = 1

    @task
    def visit(self) -> None:
        path = PATHS[0] if len(PATHS) == 1 else random.choice(PATHS)  # noqa: S311
        with self.client.get(
            path, headers=HEADERS, allow_redirects=False, catch_response=True, name="target"
        ) as response:
            if response.status_code != STATUS:
                response.failure(f"{path} answered {response.status_code}, not {STATUS}")
