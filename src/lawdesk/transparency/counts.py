"""The public statistics' count tables: kept up to date as cases change, and rebuilt on demand.

Every change goes through :func:`case_received` and :func:`status_changed`, called from the
``cases`` signals inside the transaction of the change, so the counts commit or roll back with
it. :func:`expected_from_cases` recomputes the same tables from the cases alone;
:func:`rebuild` compares the two and replaces the tables (``lawdesk transparency rebuild``).

Which quarter counts what (docs/decisions/0008-transparency-counts.md):

- ``received``, ``emergency``, ``nondisclosure`` and ``pending`` (received and still open)
  count in the quarter the request was **received**; so does the time to acknowledge.
- Outcomes (``fulfilled``, ``refused``, ``refused:<ground>`` …), ``accounts_affected`` and the
  time to give effect count in the quarter the case **closed** — the quarter of its log leaf.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef

from lawdesk.cases import flows
from lawdesk.cases.models import Case, Proposal, Status, outcome_of
from lawdesk.transparency.leaves import quarter_of
from lawdesk.transparency.models import DurationSample, QuarterCount
from lawdesk.transparency.report import quarters_in  # noqa: F401 (shared with the verifier)

# Outcomes that gave effect to the request (the DSA's "time to give effect" is measured on these).
EFFECT_OUTCOMES = ("fulfilled", "partly_fulfilled", "actioned", "preserved", "converted_to_production")
CLOSED_OUTCOMES = (*EFFECT_OUTCOMES, "refused", "withdrawn")
DIMENSIONS = ("total", "kind", "category", "instrument")

# (quarter, country, dimension, value, measure) -> n
Key = tuple[str, str, str, str, str]
# (quarter, country, kind, measure, seconds)
Sample = tuple[str, str, str, str, int]


@dataclass(frozen=True)
class Facts:
    """What the counts need to know of one case (nothing that identifies it)."""

    country: str
    kind: str
    instrument: str
    categories: tuple[str, ...]
    received_at: datetime
    acknowledged_at: datetime | None
    decided_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    emergency: bool
    nondisclosure: bool
    outcome: str
    refusal_ground: str
    accounts_affected: int

    @property
    def dimensions(self) -> list[tuple[str, str]]:
        return [("total", ""), ("kind", self.kind), ("instrument", self.instrument),
                *(("category", c) for c in dict.fromkeys(self.categories))]


def _quarter(moment: datetime) -> str:
    return quarter_of(moment.year, moment.month)


def facts_of(case: Any, *, partial: bool | None = None) -> Facts:
    """The counted facts of a case (``partial`` when already known, to spare a query)."""
    outcome = case.outcome if partial is None else outcome_of(case.status, partial=partial)
    return Facts(
        country=case.agency.country, kind=case.kind, instrument=case.instrument_type,
        categories=tuple(case.categories or ()), received_at=case.received_at,
        acknowledged_at=case.acknowledged_at, decided_at=case.decided_at,
        delivered_at=case.delivered_at, closed_at=case.closed_at,
        emergency=case.kind == "emergency_disclosure", nondisclosure=bool(case.nondisclosure_order),
        outcome=outcome, refusal_ground=case.refusal_ground or "",
        accounts_affected=int(case.accounts_affected or 0),
    )


# --- What each event adds ----------------------------------------------------------------

def received_deltas(f: Facts) -> Counter[Key]:
    """The counts a newly received request adds."""
    q = _quarter(f.received_at)
    measures = {"received": 1, "pending": 1, "emergency": int(f.emergency),
                "nondisclosure": int(f.nondisclosure)}
    return _spread(f, q, measures)


def closed_deltas(f: Facts) -> Counter[Key]:
    """The counts a case entering a terminal status adds (and its pending count it removes)."""
    assert f.closed_at is not None
    q = _quarter(f.closed_at)
    measures = {f.outcome: 1, "accounts_affected": f.accounts_affected}
    if f.outcome == "refused":
        measures[f"refused:{f.refusal_ground or 'unspecified'}"] = 1
    deltas = _spread(f, q, measures)
    deltas.update(_spread(f, _quarter(f.received_at), {"pending": -1}))
    return deltas


def acknowledge_sample(f: Facts) -> Sample | None:
    """Time from receipt to the start of review, in the quarter of receipt."""
    if f.acknowledged_at is None:
        return None
    seconds = int((f.acknowledged_at - f.received_at).total_seconds())
    return (_quarter(f.received_at), f.country, f.kind, "acknowledge", seconds)


def fulfil_sample(f: Facts) -> Sample | None:
    """Time from receipt to giving effect (delivery, or the first answer that gave effect)."""
    if f.closed_at is None or f.outcome not in EFFECT_OUTCOMES:
        return None
    effect = f.delivered_at or f.decided_at or f.closed_at
    seconds = int((effect - f.received_at).total_seconds())
    return (_quarter(f.closed_at), f.country, f.kind, "fulfil", seconds)


def _spread(f: Facts, quarter: str, measures: dict[str, int]) -> Counter[Key]:
    out: Counter[Key] = Counter()
    for dimension, value in f.dimensions:
        for measure, delta in measures.items():
            if delta:
                out[(quarter, f.country, dimension, value, measure)] += delta
    return out


# --- Applying events (called by the signal receivers, inside the case's transaction) ---------

def _apply(deltas: Counter[Key]) -> None:
    deltas = Counter({k: v for k, v in deltas.items() if v})
    if not deltas:
        return
    # Make sure every row exists (a concurrent insert of the same row waits and is ignored),
    # then add under the row lock the UPDATE takes: no lost increments.
    QuarterCount.objects.bulk_create(
        [QuarterCount(quarter=q, country=c, dimension=d, value=v, measure=m, n=0)
         for q, c, d, v, m in deltas], ignore_conflicts=True)
    for (q, c, d, v, m), delta in sorted(deltas.items()):
        QuarterCount.objects.filter(quarter=q, country=c, dimension=d, value=v, measure=m) \
            .update(n=F("n") + delta)


def _add_sample(sample: Sample | None) -> None:
    if sample is not None:
        q, c, k, m, s = sample
        DurationSample.objects.create(quarter=q, country=c, kind=k, measure=m, seconds=s)


def case_received(case: Any) -> None:
    """Count a request just accepted."""
    _apply(received_deltas(facts_of(case, partial=False)))


def status_changed(case: Any, previous: str) -> None:
    """Count a status change: acknowledgement (review started) and closing."""
    if previous == Status.RECEIVED and case.acknowledged_at is not None:
        _add_sample(acknowledge_sample(facts_of(case, partial=False)))
    if case.status in flows.TERMINAL and previous not in flows.TERMINAL:
        f = facts_of(case)
        _apply(closed_deltas(f))
        _add_sample(fulfil_sample(f))


# --- Rebuild from the cases ----------------------------------------------------------------

def expected_from_cases() -> tuple[Counter[Key], Counter[Sample]]:
    """Every count and duration sample, recomputed from the cases alone."""
    partial = Proposal.objects.filter(case=OuterRef("pk"), outcome="approved", partial=True)
    counts: Counter[Key] = Counter()
    samples: Counter[Sample] = Counter()
    cases = (Case.objects.select_related("agency").annotate(partial=Exists(partial))
             .exclude(number__isnull=True).order_by("pk"))
    for case in cases.iterator(chunk_size=2000):
        f = facts_of(case, partial=case.partial)
        counts.update(received_deltas(f))
        ack = acknowledge_sample(f)
        if ack:
            samples[ack] += 1
        if case.status in flows.TERMINAL:
            counts.update(closed_deltas(f))
            done = fulfil_sample(f)
            if done:
                samples[done] += 1
    return _nonzero(counts), samples


def current_tables() -> tuple[Counter[Key], Counter[Sample]]:
    """The count tables as they are."""
    counts: Counter[Key] = Counter()
    for q, c, d, v, m, n in QuarterCount.objects.values_list(
            "quarter", "country", "dimension", "value", "measure", "n").iterator(chunk_size=5000):
        counts[(q, c, d, v, m)] += n
    samples: Counter[Sample] = Counter(
        DurationSample.objects.values_list("quarter", "country", "kind", "measure", "seconds")
        .iterator(chunk_size=5000))
    return _nonzero(counts), samples


def _nonzero(counts: Counter[Key]) -> Counter[Key]:
    return Counter({k: v for k, v in counts.items() if v})


def differences(expected: tuple[Counter[Key], Counter[Sample]],
                actual: tuple[Counter[Key], Counter[Sample]]) -> list[str]:
    """Each count or duration sample the tables hold differently from the recomputation."""
    problems = []
    exp_counts, exp_samples = expected
    act_counts, act_samples = actual
    for key in sorted(exp_counts.keys() | act_counts.keys()):
        a, b = act_counts.get(key, 0), exp_counts.get(key, 0)
        if a != b:
            q, c, d, v, m = key
            problems.append(f"{q} {c} {d}{'=' + v if v else ''} {m}: table {a}, cases {b}")
    for sample in sorted(exp_samples.keys() | act_samples.keys()):
        a, b = act_samples.get(sample, 0), exp_samples.get(sample, 0)
        if a != b:
            q, c, k, m, s = sample
            problems.append(f"{q} {c} {k} time to {m} {s}s: {a} in the table, {b} from the cases")
    return problems


def rebuild(*, write: bool = True) -> list[str]:
    """Recompute every count from the cases in one transaction; return the differences found.

    With ``write`` the tables are replaced by the recomputation (in the same transaction).
    """
    with transaction.atomic():
        # Lock out concurrent counting on PostgreSQL while we read and rewrite the tables.

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE transparency_count, transparency_duration IN EXCLUSIVE MODE")
        expected = expected_from_cases()
        problems = differences(expected, current_tables())
        if problems and write:
            QuarterCount.objects.all().delete()
            DurationSample.objects.all().delete()
            QuarterCount.objects.bulk_create(
                [QuarterCount(quarter=q, country=c, dimension=d, value=v, measure=m, n=n)
                 for (q, c, d, v, m), n in sorted(expected[0].items())], batch_size=1000)
            DurationSample.objects.bulk_create(
                [DurationSample(quarter=q, country=c, kind=k, measure=m, seconds=s)
                 for (q, c, k, m, s), times in sorted(expected[1].items()) for _ in range(times)],
                batch_size=1000)
    return problems


def sum_rows(rows: Iterable[tuple[str, str, str, int]]) -> dict[str, dict[str, Counter[str]]]:
    """``(dimension, value, measure, n)`` rows summed into {dimension: {value: {measure: n}}}."""
    out: dict[str, dict[str, Counter[str]]] = {d: {} for d in DIMENSIONS}
    for dimension, value, measure, n in rows:
        out.setdefault(dimension, {}).setdefault(value, Counter())[measure] += n
    return out
