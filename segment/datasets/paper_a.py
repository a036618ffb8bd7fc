"""Paper A's expert decision matrix (Table 2) and its printed results (Tables 3-5)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import pandas as pd

__all__ = ["IotExperts", "load_iot_experts"]


@dataclass(frozen=True, eq=False)
class IotExperts:
    """Paper A's Table 2 and the tables the paper derived from it.

    Attributes
    ----------
    matrix : DataFrame, shape (9, 5)
        Mean scores of 15 experts: factors A1..A9 (index ``alternative``) on
        criteria C1..C5 (columns ``criterion``), all benefit criteria. With
        ``labels="name"`` the index and columns hold the full names.
    reconstructed : tuple
        Labels of the rows that were lost from the published text and
        reconstructed (``("A1",)``): they reproduce Tables 3 and 4 within
        rounding, but are not the experts' printed scores.
    alternative_names, criteria_names : Series
        Id -> full name (``"A6"`` -> ``"Economic Factors"``), in table order.
    types : Series
        ``"benefit"`` for every criterion.
    table3 : DataFrame, shape (3, 5)
        The printed E_j, d_j and weights w_j (rows ``E``, ``d``, ``w``).
    table4 : DataFrame, shape (9, 12)
        The printed Q per v = 1.0 .. 0.1, its ``mean`` and ``rank``.
    table5 : Series of tuples, indexed by v
        The printed compromise ("satisfactory") sets.
    """

    matrix: pd.DataFrame
    reconstructed: tuple
    alternative_names: pd.Series
    criteria_names: pd.Series
    types: pd.Series
    table3: pd.DataFrame
    table4: pd.DataFrame
    table5: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The matrix with the factor names and a boolean ``reconstructed``
        column marking the rebuilt row(s)."""
        frame = self.matrix.copy()
        frame.insert(0, "name", self.alternative_names.to_numpy())
        frame["reconstructed"] = frame.index.isin(self.reconstructed)
        return frame


def load_iot_experts(*, labels: str = "id") -> IotExperts:
    """Paper A's expert decision matrix (Table 2): 9 factors x 5 criteria.

    Fifteen sales and marketing managers of IoT service companies scored
    nine candidate customer-clustering factors (A1..A9) on five criteria
    (C1..C5, all benefit); Table 2 is their mean. Paper A weighs the criteria
    by Shannon entropy (Table 3) and ranks the factors with VIKOR for
    v = 1.0 .. 0.1 (Tables 4-5). Row A1 (Customer Loyalty) was lost from the
    published text; the values here were reconstructed from Tables 3 and 4
    and are flagged in ``reconstructed``.

    Parameters
    ----------
    labels : {"id", "name"}, default "id"
        Label the factors and criteria by their ids (``A1``, ``C1``; as in
        Tables 4-5) or by their full names.

    Returns
    -------
    IotExperts
        ``.matrix`` is the labelled DataFrame; ``.to_frame()`` adds the
        names and a ``reconstructed`` flag; ``.table3``, ``.table4`` and
        ``.table5`` hold the paper's printed results for comparison.

    Examples
    --------
    >>> from segment.datasets import load_iot_experts
    >>> experts = load_iot_experts()
    >>> experts.matrix.shape
    (9, 5)
    >>> experts.reconstructed
    ('A1',)
    >>> experts.alternative_names["A6"]
    'Economic Factors'
    >>> experts.to_frame()["reconstructed"].sum()
    np.int64(1)
    """
    if labels not in ("id", "name"):
        raise ValueError(f"labels must be 'id' or 'name', got {labels!r}")
    path = resources.files("segment.datasets").joinpath("iot_experts.json")
    with path.open("r", encoding="utf-8") as fh:
        data = json.load(fh)
    alt_ids, crit_ids = data["alternatives"], data["criteria"]
    alt_names = pd.Series(data["alternative_names"], name="name").reindex(alt_ids)
    crit_names = pd.Series(data["criteria_names"], name="name").reindex(crit_ids)
    alt_names.index.name, crit_names.index.name = "alternative", "criterion"
    if labels == "id":
        alts, crits = alt_ids, crit_ids
    else:
        alts, crits = list(alt_names), list(crit_names)
    alt_index = pd.Index(alts, name="alternative")
    crit_index = pd.Index(crits, name="criterion")
    to_label = dict(zip(alt_ids, alts, strict=True))
    matrix = pd.DataFrame(data["matrix"], index=alt_index, columns=crit_index, dtype=float)
    table3 = pd.DataFrame(
        [data["table3"]["E"], data["table3"]["d"], data["table3"]["w"]],
        index=pd.Index(["E", "d", "w"]),
        columns=crit_index,
    )
    v_index = pd.Index([float(v) for v in data["table4_v"]], name="v")
    table4 = pd.DataFrame(data["table4_Q"], index=alt_index, columns=v_index)
    table4["mean"] = [data["table4_mean"][a] for a in alt_ids]
    table4["rank"] = [int(data["table4_rank"][a]) for a in alt_ids]
    table5 = pd.Series(
        [tuple(to_label[a] for a in s) for s in data["table5"]],
        index=v_index,
        name="compromise",
        dtype=object,
    )
    return IotExperts(
        matrix=matrix,
        reconstructed=tuple(to_label[a] for a in data["reconstructed"]),
        alternative_names=alt_names,
        criteria_names=crit_names,
        types=pd.Series(data["criteria_types"], index=crit_index, name="type"),
        table3=table3,
        table4=table4,
        table5=table5,
    )
