"""`make mutate`: run mutmut in the current directory (a copy of the project, see the
Makefile) and report the score, the time and every surviving mutant.

mutmut mutates functions only; the engine's module constants (the add-ons per user, the
implementations and their add-ons, the calls terms, the item codes) are rules too, so
``CONSTANT_MUTANTS`` below are hand-made mutants of them, each run against the same tests
in the copy (``const_<n>`` in the report).

Survivors that docs/testing.md lists as equivalent (a line starting with "- `<mutant
name>`") are reported apart; the score is given over all mutants and over the
non-equivalent ones. Each survivor's diff goes to ``survivors.txt`` next to ``mutants/``.

Not a test module (no ``test_`` prefix): pytest does not collect it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

MUTMUT = str(Path(sys.executable).with_name("mutmut"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "testing.md"
EQUIVALENT = re.compile(r"^- `([\w.ǁ]+__mutmut_\d+)`", re.M)
KILLED = {1, 3, 36, -24, 24, 152, 255}  # failed, pytest error, timeouts (mutmut's own count)
PRICING = Path("configurator/pricing.py")

# (file, text, replacement): each replaces exactly one occurrence of text.
CONSTANT_MUTANTS = [
    *[(PRICING, f'    "{addon}",\n', "") for addon in (
        "fixed_number", "softphone", "calendar", "teams_status", "teams_voice", "ad", "call_recording",
    )],  # PER_USER_ADDONS without one add-on
    (PRICING, '"impl_calendar": ("calendar",),', ""),
    (PRICING, '"impl_teams": ("teams_status", "teams_voice"),', '"impl_teams": ("teams_status",),'),
    (PRICING, '"impl_teams": ("teams_status", "teams_voice"),', '"impl_teams": ("teams_voice",),'),
    (PRICING, '"impl_ad": ("ad",),', ""),
    (PRICING, '"impl_call_recording": ("call_recording",),', ""),
    (PRICING, 'USERS = "mobile_user"', 'USERS = "fixed_number"'),
    (PRICING, 'MOBILE = "mobile"', 'MOBILE = "company"'),
    (PRICING, 'API_ACCESS = "api_access"', 'API_ACCESS = "nps_survey"'),
    (PRICING, 'NPS_SURVEY = "nps_survey"', 'NPS_SURVEY = "api_access"'),
    (PRICING, 'ANSWERING_SERVICE_PREFIX = "answering_service_"', 'ANSWERING_SERVICE_PREFIX = "answering_service_1"'),
    (PRICING, 'DELIVERY_OPTIONS = ("self_config", "startup_help", "guided_delivery")',
     'DELIVERY_OPTIONS = ("self_config", "guided_delivery", "startup_help")'),
    (PRICING, 'EXTRA_CONFIG = "extra_config"', 'EXTRA_CONFIG = "startup_help"'),
    (PRICING, 'TRAINING_DAYS = ("training_half_day", "training_full_day")', 'TRAINING_DAYS = ("training_full_day",)'),
    (PRICING, 'TRAINING_DAYS = ("training_half_day", "training_full_day")',
     'TRAINING_DAYS = ("training_full_day", "training_half_day")'),
    (PRICING, 'TRAVEL_COST = "training_travel"', 'TRAVEL_COST = "training_full_day"'),
    *[(PRICING, 'CALLS_TERMS = ("calls-1", "calls-2", "calls-abroad", "traffic")',
       'CALLS_TERMS = (' + ", ".join(f'"{t}"' for t in ("calls-1", "calls-2", "calls-abroad", "traffic") if t != term) + ")")
      for term in ("calls-1", "calls-2", "calls-abroad", "traffic")],  # the calls terms without one
    *[(PRICING, f'    "{name}",\n    "{after}",', f'    "{after}",') for name, after in (
        ("sms_domestic", "sms_foreign"), ("sms_foreign", "nps_sms_domestic"),
        ("nps_sms_domestic", "nps_sms_foreign"), ("nps_sms_foreign", "calls"), ("calls", "avg_call_seconds"),
    )],  # TRAFFIC_FIELDS without one field
    (PRICING, '    "avg_call_seconds",\n)', ")"),
    (PRICING, 'ZERO = Decimal("0.00")', 'ZERO = Decimal("1.00")'),
]


def equivalent_names() -> set[str]:
    return set(EQUIVALENT.findall(DOCS.read_text("utf-8"))) if DOCS.exists() else set()


def results() -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])
    return codes


def test_selection() -> list[str]:
    import tomllib

    mutmut = tomllib.loads(Path("pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    return [*mutmut["pytest_add_cli_args"], *mutmut["pytest_add_cli_args_test_selection"]]


def run_constant_mutants() -> dict[str, int | None]:
    """Each hand-made mutant in the copy's own source (not mutants/), the tests with -x."""
    codes: dict[str, int | None] = {}
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *test_selection()]
    for n, (path, text, replacement) in enumerate(CONSTANT_MUTANTS, start=1):
        name = f"const_{n}"
        original = path.read_text("utf-8")
        if original.count(text) != 1:
            print(f"  {name}: {text!r} not found once in {path}: not run")
            codes[name] = None
            continue
        path.write_text(original.replace(text, replacement), "utf-8")
        try:
            codes[name] = subprocess.run(pytest, capture_output=True).returncode
        finally:
            path.write_text(original, "utf-8")
        print(f"  {name}: {'killed' if codes[name] else 'SURVIVED'}  {path}: {text.strip()!r} -> {replacement.strip()!r}")
    return codes


def main() -> int:
    start = time.monotonic()
    run = subprocess.run([MUTMUT, "run", *sys.argv[1:]])
    if run.returncode:
        print(f"mutmut run failed (exit {run.returncode})")
        return run.returncode
    print("Hand-made mutants of the module constants:")
    # The original source must pass first, or every constant mutant would count as killed.
    clean = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *test_selection()],
                           capture_output=True)
    if clean.returncode:
        print("the tests fail on the unmutated source: constant mutants not run")
        return 1
    constants = run_constant_mutants()
    elapsed = time.monotonic() - start
    codes = results()
    codes.update({k: (1 if c else 0) if c is not None else None for k, c in constants.items()})
    killed = sorted(k for k, c in codes.items() if c in KILLED)
    survived = sorted(k for k, c in codes.items() if c == 0)
    other = sorted(k for k, c in codes.items() if c not in KILLED and c != 0)
    listed = equivalent_names()
    equivalent = [k for k in survived if k in listed]
    real = [k for k in survived if k not in listed]
    stale = sorted(listed - set(survived))

    with open("survivors.txt", "w", encoding="utf-8") as out:
        for name in survived:
            if name.startswith("const_"):
                path, text, replacement = CONSTANT_MUTANTS[int(name.split("_")[1]) - 1]
                out.write(f"### {name}\n{path}: {text!r} -> {replacement!r}\n\n")
                continue
            shown = subprocess.run([MUTMUT, "show", name], capture_output=True, text=True)
            out.write(f"### {name}{' (equivalent)' if name in listed else ''}\n{shown.stdout}\n")

    total = len(codes)
    scored = total - len(equivalent)
    print()
    print(f"Mutation testing: {total} mutants ({len(constants)} hand-made) in {elapsed / 60:.1f} min")
    print(f"  killed {len(killed)}/{total} = {100 * len(killed) / max(total, 1):.1f} %")
    print(
        f"  killed {len(killed)}/{scored} non-equivalent = {100 * len(killed) / max(scored, 1):.1f} %"
        f" ({len(equivalent)} survivors listed as equivalent in docs/testing.md)"
    )
    for name in other:
        print(f"  not killed, not survived (exit {codes[name]}): {name}")
    print(f"  surviving, not listed as equivalent: {len(real)}")
    for name in real:
        print(f"    {name}")
    if stale:
        print("  listed as equivalent in docs/testing.md but not surviving (renumbered? killed?):")
        for name in stale:
            print(f"    {name}")
    print(f"  diffs of all survivors: {Path('survivors.txt').resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
