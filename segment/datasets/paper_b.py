"""Paper B's stakeholder vote matrix (Table 5)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_paper_b_votes", "PAPER_B_VOTE_COLUMNS"]

#: Table 5's attribute labels -> canonical contract columns (segment.contracts).
PAPER_B_VOTE_COLUMNS = {
    "date installed": "date_installed",
    "location": "location",
    "contract type": "contract_type",
    "local description": "local_description",
    "payment type": "payment_type",
    "invoice type": "invoice_type",
    "monthly fee": "monthly_fee",
    "installation fee": "installation_fee",
    "extensions amount": "extensions_amount",
    "extension fee": "extensions_fee",
    "first extension date": "first_extension_date",
    "last extension date": "last_extension_date",
    "debt amount": "debt_amount",
    "time in debt": "time_in_debt",
    "MVC": "mvc",
}


def load_paper_b_votes(*, canonical_names=False):
    """Paper B's Table 5: which of 15 variables each of 4 managers voted for.

    Four directors (customer service, customer acquisition, loyalty, debt;
    Paper B Table 2) marked with an 'x' the variables they consider most
    important for a loyalty program (Table 4's question). Tally it with
    `segment.tally_votes`: the variables with an average of at least 0.75 (3 of
    4 votes) are the ones the paper kept. Table 6 lists "invoice type" where
    this tally selects "payment type" (3 votes; invoice type has none): a
    misprint in the paper.

    Parameters
    ----------
    canonical_names : bool, default False
        Index by the canonical contract column names (``date_installed``,
        ``extensions_fee``, ``mvc``, ...) instead of Table 5's labels.

    Returns
    -------
    DataFrame, shape (15, 4)
        Index ``attribute`` (Table 5's order and spelling), columns the
        interviewee ids 1-4 (name ``interviewee``), values "x" (vote) or ""
        (no vote), as printed.

    Examples
    --------
    >>> from segment.datasets import load_paper_b_votes
    >>> votes = load_paper_b_votes()
    >>> votes.shape
    (15, 4)
    >>> votes.loc["payment type"].tolist()
    ['', 'x', 'x', 'x']
    """
    path = resources.files("segment.datasets").joinpath("paper_b_votes.csv")
    with path.open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, index_col="attribute", dtype=str, keep_default_na=False)
    frame.columns = pd.Index([int(c) for c in frame.columns], name="interviewee")
    if canonical_names:
        frame.index = pd.Index(
            [PAPER_B_VOTE_COLUMNS[a] for a in frame.index], name="attribute"
        )
    return frame
