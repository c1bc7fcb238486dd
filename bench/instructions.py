"""Run under valgrind by `make bench` (part "instructions"): N in-process requests of one
kind, so that callgrind's instruction count, which does not depend on what else the
machine is doing, gives the cost of one request by difference with N = 0.

    MODE=recalc|bare|none N=100 BENCH_QUOTE=<pk> BENCH_SELLER=<username> python bench/instructions.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from bench.scenarios import RECALC_BODY, RECALC_STEP  # noqa: E402

client = Client()
client.force_login(get_user_model().objects.get(username=os.environ["BENCH_SELLER"]))
headers = {"HTTP_HX_REQUEST": "true", "content_type": "application/x-www-form-urlencoded"}
paths = {
    "recalc": f"/offerter/{os.environ['BENCH_QUOTE']}/steg/{RECALC_STEP}/berakna/",
    "bare": "/bench/bare/",
}


def request(path: str) -> None:
    response = client.post(path, RECALC_BODY, **headers)
    assert response.status_code == 200, (path, response.status_code)


for path in paths.values():  # both paths warm (templates, catalog, translations) in every run
    for _ in range(5):
        request(path)
mode = os.environ["MODE"]
for _ in range(int(os.environ.get("N", "100")) if mode != "none" else 0):
    request(paths[mode])
