"""Small counts hidden per request: primary suppression, then secondary suppression against every coarser cut shown."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Line, protect
from dashboard.domain.filters import FilterState
from dashboard.query.counts import RATE_SOURCES, fact_counts
from dashboard.store.warehouse import Warehouse

# Coarser cuts that are published too: each cell of a finer cut adds up into one cell of each of these.
PARENTS = {"area": ("ward", "locality"), "school": ("cluster", "phase"), "need": ("broad_area",)}
# Dimensions fixed by another (a school has one phase): they label a cell without splitting it.
IMPLIED = {
    "area": {"ward", "locality"},
    "school": {"phase", "cluster", "school_locality"},
    "cluster": {"school_locality"},
    "need": {"broad_area"},
}
FIXED = ("year", "term")
_MEMOS: OrderedDict[tuple, dict] = OrderedDict()
_MEMOS_LOCK = threading.Lock()
MEMOS_KEPT = 64


def shared_memo(
    warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int, termly: bool, school_locality: bool
) -> dict:
    """The protected cuts already worked out for these data filters, shared by every call that uses them.

    A map, its borough figure and its comparison all protect the same cuts; working them out once keeps
    a filter change quick, and a new warehouse version (a new stamp) starts afresh. The newest few are kept.
    """
    key = (
        str(warehouse.path),
        warehouse.stamp,
        measure_id,
        state.year,
        state.locality,
        state.cluster,
        state.need,
        state.sen,
        state.phase,
        state.school,
        threshold,
        termly,
        school_locality,
    )
    with _MEMOS_LOCK:
        memo = _MEMOS.setdefault(key, {})
        _MEMOS.move_to_end(key)
        while len(_MEMOS) > MEMOS_KEPT:
            _MEMOS.popitem(last=False)
    return memo


def forget_protected() -> None:
    """Drop every shared protection (for benchmarks that must time a filter change never seen before)."""
    with _MEMOS_LOCK:
        _MEMOS.clear()


def _partition(by: tuple[str, ...]) -> list[str]:
    """The keys in by that split the whole between them (not the year or term, nor a key fixed by another)."""
    split = [k for k in by if k not in FIXED and k != "borough"]
    return [k for k in split if not any(k in IMPLIED.get(other, ()) for other in split if other != k)]


def parent_cuts(by: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The coarser published cuts that by's cells add up into: each splitting key replaced by its parent, or dropped."""
    cuts = []
    for key in _partition(by):
        for replacement in PARENTS.get(key, ()) + (None,):
            cut = tuple(
                dict.fromkeys(replacement if k == key else k for k in by if not (k == key and replacement is None))
            )
            cut = cut if _partition(cut) or cut else ("borough",)
            if cut not in cuts:
                cuts.append(cut)
    return cuts


def _joint_finer(by: tuple[str, ...]) -> tuple[str, ...] | None:
    """The finer cut whose protection also settles by's cells, if any.

    Wards are settled with their small areas. Broad areas of need are settled with the needs in them: a broad
    area protected on its own, before the needs, could show the one total that, with the needs' own totals,
    gives a hidden need away (a locality's cognition total less its MLD and SpLD leaves its SLD, which the
    borough's SLD total then splits), and the needs could not then hide it, since it was already settled.
    """
    for coarse, fine in (("ward", "area"), ("broad_area", "need")):
        if coarse in by and fine not in by:
            return tuple(fine if k == coarse else k for k in by)
    return None


def protected_cut(
    warehouse: Warehouse,
    measure_id: str,
    state: FilterState,
    by: tuple[str, ...],
    threshold: int,
    termly: bool,
    school_locality: bool,
    memo: dict,
) -> pd.DataFrame:
    """Counts per group with num_hidden and den_hidden: primary suppression, then secondary against every coarser cut.

    Coarser cuts are protected first (memo holds them for this request), and their hidden or shown
    cells are taken as given, so a locality hidden on one page cannot be rebuilt from its small areas on
    another. Wards cross localities rather than nest in them, so wards are settled together with their
    small areas instead: both then come from one protection.
    """
    if by in memo:
        return memo[by]
    args = (measure_id, state, threshold, termly, school_locality)
    finer = _joint_finer(by)
    if finer is not None:
        protected_cut(warehouse, *args[:1], state, finer, *args[2:], memo)
        return memo[by]
    cuts = parent_cuts(by)
    carried = tuple(dict.fromkeys(k for cut in cuts for k in cut if k not in by and k != "borough"))
    frame = _primary(
        fact_counts(
            warehouse, measure_id, state, by + carried + (("term",) if termly else ()), termly, school_locality
        ),
        threshold,
    )
    if cuts:
        fixed = [k for k in frame if k in FIXED]
        parents = []
        for cut in cuts:
            if _joint_finer(cut) == by:
                cut_frame = _primary(
                    fact_counts(
                        warehouse, measure_id, state, cut + (("term",) if termly else ()), termly, school_locality
                    ),
                    threshold,
                )
                parents.append((cut, cut_frame, False))
            else:
                parents.append(
                    (
                        cut,
                        protected_cut(warehouse, measure_id, state, cut, threshold, termly, school_locality, memo),
                        True,
                    )
                )
        # Sessions are not children: where the numerator counts none, the children behind it are the denominator's.
        counted = "numerator_people" if RATE_SOURCES[measure_id][0].people else "denominator_people"
        _secondary(frame, frame[counted].fillna(0), "num_hidden", parents, fixed, memo)
        _secondary(frame, frame["denominator_people"].fillna(0), "den_hidden", parents, fixed, memo)
        for cut, cut_frame, frozen in parents:
            if not frozen:
                memo[cut] = cut_frame
    memo[by] = frame
    return frame


def _primary(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Mark counts resting on 1 to threshold children (num_hidden), and small denominators (den_hidden)."""

    def small(series: pd.Series) -> pd.Series:
        return series.between(1, threshold).fillna(False).astype(bool)

    # A total over rows a source gave as a symbol (c, x...) is unknown, so it is not shown either.
    # A symbol on the numerator's side leaves the denominator (pupils on roll, say) known and shown.
    symbol = frame["symbol"].notna()
    den_symbol = frame["den_symbol"] if "den_symbol" in frame else symbol
    small_den = small(frame["denominator_people"])
    small_any = small(frame["numerator_people"]) | small_den
    frame["num_hidden"] = small_any | symbol
    frame["den_hidden"] = small_den | den_symbol
    # Hidden only because the source gave a symbol: the warehouse has no number there to protect.
    frame["num_sourced"] = symbol & ~small_any
    frame["den_sourced"] = den_symbol & ~small_den
    return frame


def _secondary(frame: pd.DataFrame, people: pd.Series, flag: str, parents: list, fixed: list[str], memo: dict) -> None:
    """Widen frame[flag] (and the flag of each parent cut settled jointly) so no hidden cell can be worked out.

    parents holds (cut, its frame, frozen): frozen cuts were protected before and only constrain.
    """
    # Cells hidden only for a source's symbol hold no number of ours (the rest of the total sits in a row of
    # its own), so the audit takes them as known: that protects our own hidden cells the more, and spares
    # it from chasing values that are not there.
    sourced = flag.replace("hidden", "sourced")
    values, hidden = list(people), list(frame[flag] & ~frame[sourced])
    frozen_cells, lines, placed = [False] * len(frame), [], []
    for cut, parent, frozen in parents:
        keys = [k for k in cut if k != "borough"] + [k for k in fixed if k not in cut]
        if keys:
            link = frame[keys].merge(parent[keys].assign(_parent=np.arange(len(parent))), on=keys, how="left")[
                "_parent"
            ]
        else:
            link = pd.Series(0, index=frame.index)
        used = sorted(int(p) for p in link.dropna().unique())
        where = {p: len(values) + k for k, p in enumerate(used)}
        for p in used:
            children = np.flatnonzero(link.to_numpy() == p)
            values.append(float(people.iloc[children].sum()))
            hidden.append(bool(parent[flag].iloc[p] and not parent[sourced].iloc[p]))
            frozen_cells.append(frozen)
            lines.append(Line(children, where[p]))
        # The cut's own lines whose totals are shown (its cells add up to the borough, say), so the audit
        # sees what an attacker sees.
        for line in _published_lines(parent.iloc[used].reset_index(drop=True), cut, fixed, flag, memo):
            lines.append(Line(np.array([where[used[i]] for i in line])))
        placed.append((parent, used, [where[p] for p in used]))
    mask = protect(pd.Series(values), pd.Series(hidden), lines, pd.Series(frozen_cells)).to_numpy()
    frame[flag] = mask[: len(frame)] | frame[sourced].to_numpy()
    for parent, used, positions in placed:
        flags = parent[flag].to_numpy(copy=True)
        flags[used] = mask[positions] | parent[sourced].to_numpy()[used]
        parent[flag] = flags


def _published_lines(
    table: pd.DataFrame, cut: tuple[str, ...], fixed: list[str], flag: str, memo: dict
) -> list[np.ndarray]:
    """Lines of a protected cut whose totals are shown: cells sharing all keys but one add up to a coarser cell."""
    keys = _partition(cut)
    fixed = [k for k in fixed if k in table]
    lines = []
    for key in keys:
        others = [k for k in keys if k != key]
        total_cut = tuple(k for k in cut if k != key and k != "borough") or ("borough",)
        totals = memo.get(total_cut)
        group_keys = others + fixed
        grouped = (
            table.assign(_pos=np.arange(len(table))).groupby(group_keys, dropna=False)["_pos"]
            if group_keys
            else [((), table.assign(_pos=np.arange(len(table)))["_pos"])]
        )
        for values, group in grouped:
            # A line of one cell is kept too: that cell is its shown total, so hiding it would hide nothing.
            if len(group) == 0:
                continue
            if totals is not None:
                match = totals
                for column, value in zip(group_keys, values if isinstance(values, tuple) else (values,)):
                    match = match[match[column].isna()] if pd.isna(value) else match[match[column] == value]
                if len(match) and bool(match[flag].iloc[0]):
                    continue  # the total is hidden too, so it constrains nothing
            lines.append(group.to_numpy())
    return lines
