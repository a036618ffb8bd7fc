"""Synthetic contracts in Paper B's Table 1 schema, at the paper's scale.

Paper B's data (88,390 contracts of a Portuguese private security company,
extracted on 2022-07-12) is confidential. `make_contracts` generates data with
the same schema and the published aggregate shape: installations from 1995 to
the extraction date, about 15.5% of customers with several contracts, about
5.8% of contracts dropped by cleaning (outstanding debt plus a few dirty rows),
so that 88,390 contracts become about 83,234 clean contracts of about 66,651
customers. By default (``calibration="paper_b"``) the customers are drawn from
six segments calibrated to the paper's cluster tables (8-14, 16 and 23), so
that Paper B's pipeline tells the paper's story on this data; see
`make_contracts`. ``calibration=None`` is the earlier, uncalibrated generator
(invented but plausible, skewed distributions; only the counts calibrated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segment._parsing import date_value
from segment.contracts import CONTRACT_COLUMNS

__all__ = ["make_contracts"]

_START = np.datetime64("1995-01-01", "D")

# share of contracts per district: a Lisbon-based company, weaker in the north
_DISTRICTS = {
    "Lisboa": 0.300,
    "Setúbal": 0.115,
    "Porto": 0.090,
    "Faro": 0.065,
    "Santarém": 0.060,
    "Leiria": 0.055,
    "Aveiro": 0.045,
    "Braga": 0.040,
    "Coimbra": 0.040,
    "Viseu": 0.025,
    "Évora": 0.020,
    "Castelo Branco": 0.015,
    "Beja": 0.015,
    "Viana do Castelo": 0.015,
    "Portalegre": 0.010,
    "Guarda": 0.010,
    "Vila Real": 0.010,
    "Madeira": 0.010,
    "Bragança": 0.008,
    "Açores": 0.007,
}
_PRIVATE_PLACES = {"house": 0.50, "apartment": 0.38, "farm": 0.05, "garage": 0.04, "storage": 0.03}
_BUSINESS_PLACES = {
    "shop": 0.26,
    "restaurant": 0.16,
    "office": 0.14,
    "pharmacy": 0.10,
    "pastry shop": 0.08,
    "jewellery": 0.06,
    "warehouse": 0.08,
    "clinic": 0.05,
    "bank branch": 0.02,
    "school": 0.05,
}
_PAYMENTS = {
    "direct debit": 0.42,
    "ATM reference": 0.27,
    "bank transfer": 0.18,
    "credit card": 0.08,
    "cash": 0.05,
}
_INVOICES = {"email": 0.56, "paper": 0.36, "customer area": 0.08}
_NORTH_DISTRICTS = {"Viana do Castelo", "Braga", "Porto", "Vila Real", "Bragança"}
_CONTRACT_TYPES = ["private", "business", "unknown"]  # "unknown" only in dirty rows

# calibration (see the module docstring): contracts per customer, debtors, dirt
_P_SEVERAL = 0.155  # customers with several contracts
_P_GEOM = 0.62  # several = 1 + Geometric(p): mean 2.6 contracts
_P_DEBTOR = 0.0565  # customers with outstanding debt (all their contracts are dropped)
_DIRTY = 0.0022  # share of rows made invalid


def _choice(rng, table: dict, size):
    """Codes into list(table), drawn with the table's probabilities."""
    p = np.array(list(table.values()), dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _labels(codes, categories) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, list(categories))).astype("str")


def _ids(prefix: str, numbers, width: int) -> pd.Series:
    return pd.Series(numbers).astype("str").str.zfill(width).radd(prefix)


def as_generator(random_state):
    """A numpy Generator from None, an int >= 0, a Generator or a RandomState
    (shared with datasets.survey)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, (int, np.integer)):
        if isinstance(random_state, bool):
            raise TypeError(f"random_state must be an int, got {random_state!r}")
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}")
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be None, an int or a numpy Generator, got {random_state!r}")


def make_contracts(
    n_contracts=88_390, *, as_of="2022-07-12", random_state=0, dirty=True, calibration="paper_b"
):
    """Synthetic contract rows in Paper B's Table 1 schema.

    Parameters
    ----------
    n_contracts : int, default 88_390
        Number of rows (Paper B's raw data has 88,390 contracts).
    as_of : date-like, default "2022-07-12"
        The extraction date: no date lies after it. Installations start on
        1995-01-01 (or later when as_of is earlier than 1996). A string whose
        day and month could be swapped ("12/07/2022") is refused: use ISO.
    random_state : int, numpy Generator or None, default 0
        Same seed, same frame.
    dirty : bool, default True
        Make about 0.22% of the rows invalid the way real exports are (missing
        fee, negative installation fee, empty installation date, extension
        dated before installation, unknown contract type, an exact duplicate
        row, two different rows sharing a contract id) so that `load_contracts`
        has work to do.

    calibration : "paper_b" or None, default "paper_b"
        "paper_b": customers drawn from the segments behind Paper B's cluster
        tables (below). None: the earlier generator, calibrated to the counts
        only (its best K is 5 or 6 with silhouettes 0.49-0.60); kept so that
        older results can be reproduced.

    Returns
    -------
    DataFrame, shape (n_contracts, 18)
        Columns and dtypes as returned by `segment.load_contracts`, rows in
        installation order, contract ids "CT0000001"..., customer ids
        "CU000001"... .

    Notes
    -----
    Both generators share the counts: customers hold 1 contract, or with
    probability 0.155 (the paper's 15.5% of customers with several contracts)
    1 + Geometric(0.62) contracts (mean 2.6, at most 20); 5.65% of customers
    are debtors whose contracts carry outstanding debt and are all dropped by
    cleaning, and 0.22% of rows are spoilt (``dirty``), so that 88,390 rows
    become about 83,234 contracts of about 66,651 customers (section 3).
    ``calibration="paper_b"`` fixes these counts instead of drawing them: n /
    (1 + 0.155 / 0.62) customers, 15.5% of them with several contracts (nudged
    one contract at a time to add up to n), exactly 5.65% of them debtors, and
    the spoilt rows only among contracts without extensions, so that the kept
    customers are 66,715 to 66,717 (+0.10%) and the kept contracts within 0.2% of 83,234
    for every seed.

    How ``calibration="paper_b"`` was calibrated. The paper's profiles pin down
    the clusters: Table 10's cluster holds 22.88% of all businesses and Table
    14's 7.54%, so there are about 6589 / 0.2288 = 2170 / 0.0754 = 28,790
    businesses, exactly Table 9's clusters 3 and 2; likewise Tables 12 and 14
    put about 5613 / 0.1059 = 2170 / 0.0410 = 52,950 customers on direct
    debit, Table 9's clusters 2 and 1. So K = 4 is business x direct debit,
    and K = 5 and 6 split a long-standing, high-revenue group off clusters 1
    and 2 (Tables 11-14). Each customer is drawn into one of six segments with
    the probabilities of Tables 9, 11 and 13:

    ====================  =======  ===========  ==================================
    segment               share    revenue (€)  fixed by
    ====================  =======  ===========  ==================================
    business, no debit    9.886%   4540.79      Tables 9 and 10 (all figures)
    business, debit       30.057%  3716.83      Table 13 (size, revenue)
    business, debit, old  3.256%   8683.11      Tables 13 and 14 (all figures)
    private, debit        37.752%  2738.58      Table 11 (size, revenue)
    private, debit, old   8.421%   7153.40      Tables 11 and 12 (all but the
                                                time to first extension, a
                                                misprint there: 3600 days chosen)
    private, no debit     10.628%  3467.47      Tables 9 and 11 (size, revenue)
    ====================  =======  ===========  ==================================

    Within a segment, every contract of the customer is business or not, paid
    by direct debit or not (else by another method with the shares of the
    uncalibrated generator). The customer's gross revenue, time to first
    extension and recency are Gamma draws with the segment's mean and a
    coefficient of variation (cv) of 0.12, 0.08 and 0.12 in the four recent
    segments and 0.30, 0.20 and 0.25 in the two long-standing ones, clipped
    to [1 - 2.5 cv, 1 + 2.5 cv] x the mean. Frequency is 1 + Poisson(rate),
    at most 6, with rate = (mean - 1) x Gamma(2.5, 1 / 2.5) (overdispersed:
    about 5% of customers have 4 or more extensions), and times in debt
    Binomial(ceil(1.25 mean), mean / ceil(1.25 mean)). The means the paper
    does not publish (frequency 1.60 / 1.45 / 1.50, recency 2175 days and
    time to first extension 3800 / 3400 / 1900 days for business debit /
    private debit / private no debit; their debt 3.0 / 2.5 / 4.0) were chosen
    with the spreads so that the silhouettes come out near Table 8's and
    Table 23's and k-means finds the segments in the paper's nesting.

    What each choice targets. Min-max scaling makes every silhouette depend
    on each feature's extremes, so the generator pins them instead of leaving
    them to the seed: the clips put a few customers at each bound (gross
    revenue up to 1.75 x 8683.11, recency up to 1.625 x 4157.87), the margin
    (mvc / fees) is Beta(24, 12) clipped to [0.6, 0.75] and the extension
    fees leave a monthly fee of at least 5, so that the RFM monetary value
    (fees x months) tops out near 1.75 x 8683.11 / 0.6 rather than at a
    random outlier, and 0.1% of the customers of the three segments above
    joined one to three years ago and have no extension yet (frequency starts
    at 0, recency and time to first extension at about 365 days). On these
    scales: the overdispersed frequency makes k-means on the RFM features
    find frequency strata plus the long-standing group (random_state=0:
    K = 3: 1-2, 3+ and old; K = 4: 1, 2-3, 4+ and old; K = 5: 1, 2, 3-4, 5+
    and old; K = 6: 1, 2, 3, 4+ and the old group split into its business
    part, higher monetary value, and its private part, higher recency), each
    about as well separated as the last, which gives Table 23's flat RFM
    curve (0.567 / 0.551 / 0.541 / 0.524; 0.59 / 0.53 / 0.52 / 0.51 here);
    the tight recent segments keep Table 8's 0.676 / 0.757 at K = 3, 4 (0.66
    / 0.74 here) despite that frequency spread, and the looser long-standing
    segments bring K = 5, 6 down to 0.684 / 0.655 (0.69 / 0.66 here); the
    recent segments' shared recency (2175 days) sets how far the old group
    stands in the RFM space (the K = 3 and 4 silhouettes fall as it grows).
    The first installation is recency + time to first extension (+ a gap
    between first and last extension, 0.15
    x the segment's time to first extension, cv 0.25, when there are
    several) before as_of, at most 1995-01-01 (the paper's oldest customer);
    the extensions and the debt history sit on the first contract; a
    customer's other contracts are installed later and its revenue is split
    over its contracts in proportion to their months (mvc = revenue share /
    months, monthly_fee = mvc / margin - extensions_fee). Exactly 0.5% of
    each segment's customers, scaled by the cluster's share of the north
    customers in Tables 10, 12 and 14 (x 1.213, 0.587, 0.878), are in the
    north (one district for all their contracts): rare, so that north does
    not make clusters of its own, and counted, so that those shares do not
    depend on the seed.

    Shape of the uncalibrated (``calibration=None``) data:

        * customers: about 15.5% hold several contracts (2-20, mean 2.6);
        * installations: from 1995 to as_of, more recent ones more frequent
          (customers who joined long ago have more often left);
        * contract_type: about 18% of customers are businesses;
        * location: Portugal's districts, mostly around Lisbon (about 16%
          of contracts in the north); a customer's contracts share a district
          85% of the time;
        * monthly_fee, installation_fee (30% zero), extensions (about 45% of
          contracts have some), extensions_fee, mvc (fees after costs, can be
          negative): right-skewed, log-normal-like;
        * debt_amount / time_in_debt: Poisson / gamma, growing with tenure;
        * debt (outstanding): about 5.65% of customers, all their contracts
          dropped by cleaning, so 88,390 -> about 83,234 contracts and about
          66,651 customers.

    Examples
    --------
    >>> from segment.datasets import make_contracts
    >>> df = make_contracts(1000, random_state=1)
    >>> df.shape
    (1000, 18)
    >>> bool(df["date_installed"].min() >= pd.Timestamp("1995-01-01"))
    True
    >>> make_contracts(1000, random_state=1).equals(df)
    True
    """
    if isinstance(n_contracts, bool) or not isinstance(n_contracts, (int, np.integer)):
        raise TypeError(f"n_contracts must be an integer, got {n_contracts!r}")
    n = int(n_contracts)
    if n < 1:
        raise ValueError(f"n_contracts must be >= 1, got {n}")
    end = np.datetime64(date_value(as_of, flags=None).normalize().to_datetime64(), "D")
    start = _START if end - _START >= np.timedelta64(366, "D") else end - np.timedelta64(365, "D")
    span = int((end - start).astype(np.int64))
    if calibration not in ("paper_b", None):
        raise ValueError(f'calibration must be "paper_b" or None, got {calibration!r}')
    rng = as_generator(random_state)

    if calibration is not None:
        cust, is_first, m = _customers_counted(n, rng)
        cols, c_first = _paper_b(cust, is_first, m, end, span, rng)
        return _frame(cols, cust, c_first, rng, dirty, spare_extensions=True)

    cust, is_first, m = _customers(n, rng)
    # customer-level traits
    scale = 4200.0  # days; truncated exponential age: recent customers more frequent
    u = rng.random(m)
    age = -scale * np.log1p(-u * (1 - np.exp(-span / scale)))
    c_first = end - np.floor(age).astype("timedelta64[D]")
    c_business = rng.random(m) < 0.18
    c_district = _choice(rng, _DISTRICTS, m)
    c_payment = _choice(rng, _PAYMENTS, m)
    c_invoice = _choice(rng, _INVOICES, m)
    c_debtor = rng.random(m) < _P_DEBTOR
    c_debt_rate = rng.gamma(0.6, 1 / 0.6, m) * 0.35  # debt-department visits per year

    # ---- contracts
    first_day = c_first[cust]
    room = (end - first_day).astype(np.int64)
    offset = np.where(is_first, 0, np.floor(rng.random(n) ** 1.5 * (room + 1)).astype(np.int64))
    installed = first_day + offset.astype("timedelta64[D]")
    years = (end - installed).astype(np.int64) / 365.25

    business = np.where(c_business[cust], rng.random(n) < 0.85, rng.random(n) < 0.03)
    contract_type = business.astype(np.int8)  # codes into _CONTRACT_TYPES
    n_private = len(_PRIVATE_PLACES)
    local = np.where(
        business, n_private + _choice(rng, _BUSINESS_PLACES, n), _choice(rng, _PRIVATE_PLACES, n)
    )
    location = np.where(rng.random(n) < 0.85, c_district[cust], _choice(rng, _DISTRICTS, n))
    payment = np.where(rng.random(n) < 0.9, c_payment[cust], _choice(rng, _PAYMENTS, n))
    invoice = np.where(rng.random(n) < 0.9, c_invoice[cust], _choice(rng, _INVOICES, n))

    monthly = np.where(
        business, rng.lognormal(np.log(44.0), 0.45, n), rng.lognormal(np.log(27.0), 0.35, n)
    )
    monthly = np.round(monthly, 2)
    install_fee = np.where(
        rng.random(n) < 0.30,
        0.0,
        rng.lognormal(np.log(120.0), 0.6, n) * np.where(business, 1.8, 1.0),
    )
    install_fee = np.round(install_fee, 2)

    lam = (0.15 + 0.08 * years) * rng.gamma(0.8, 1 / 0.8, n)
    n_ext = np.minimum(rng.poisson(lam), 30)
    has_ext = n_ext > 0
    life = (end - installed).astype(np.int64)
    first_ext_off = np.floor(rng.beta(1.2, 2.5, n) * life).astype(np.int64)
    first_ext = installed + first_ext_off.astype("timedelta64[D]")
    rest = (end - first_ext).astype(np.int64)
    last_off = np.where(n_ext > 1, np.floor(rng.beta(2.0, 1.5, n) * rest).astype(np.int64), 0)
    last_ext = first_ext + last_off.astype("timedelta64[D]")
    nat = np.datetime64("NaT", "D")
    first_ext = np.where(has_ext, first_ext, nat)
    last_ext = np.where(has_ext, last_ext, nat)
    ext_fee = np.round(n_ext * rng.lognormal(np.log(6.0), 0.5, n), 2)

    debtor = c_debtor[cust]
    debt_amount = rng.poisson(c_debt_rate[cust] * years)
    debt_amount = np.where(debtor, np.maximum(debt_amount, 1), debt_amount)
    time_in_debt = np.where(
        debt_amount > 0, np.round(rng.gamma(np.maximum(debt_amount, 1), 24.0)), 0.0
    )
    margin = rng.beta(6.0, 3.0, n)
    mvc = np.round((monthly + ext_fee) * margin - 0.8 * debt_amount / np.maximum(years, 0.5), 2)
    # outstanding debt: one contract of each debtor for sure, the others often
    flagged = debtor & (is_first | (rng.random(n) < 0.4))

    cols = {
        "date_installed": installed,
        "location": location,
        "contract_type": contract_type,
        "local_description": local,
        "payment_type": payment,
        "invoice_type": invoice,
        "monthly_fee": monthly,
        "installation_fee": install_fee,
        "extensions_amount": n_ext,
        "extensions_fee": ext_fee,
        "first_extension_date": first_ext,
        "last_extension_date": last_ext,
        "debt_amount": debt_amount,
        "time_in_debt": time_in_debt.astype(np.float64),
        "mvc": mvc,
        "debt": flagged,
    }
    return _frame(cols, cust, c_first, rng, dirty)


# ---- calibration="paper_b": the customer segments behind Paper B's Tables 9-14
# (share of customers, business, direct debit, mean gross revenue, frequency,
# recency days, time to first extension days, times in debt); see make_contracts
_SEGMENTS = {
    #                      share    bus dd  revenue  freq   recency  first_ext  debt
    "business, no debit": (0.09886, 1, 0, 4540.79, 2.562, 1795.81, 1862.01, 16.24),
    "business, debit": (0.30057, 1, 1, 3716.83, 1.60, 2175.0, 3800.0, 3.0),
    "business, debit, old": (0.03256, 1, 1, 8683.11, 1.93, 3879.90, 5441.38, 6.29),
    "private, debit": (0.37752, 0, 1, 2738.58, 1.45, 2175.0, 3400.0, 2.5),
    "private, debit, old": (0.08421, 0, 1, 7153.40, 1.571, 4157.87, 3600.0, 5.30),
    "private, no debit": (0.10628, 0, 0, 3467.47, 1.50, 2175.0, 1900.0, 4.0),
}
_OLD = np.array([name.endswith("old") for name in _SEGMENTS])
# not profiled by the paper: where the few customers without an extension yet are drawn
_FREE = np.array(
    [name in ("business, debit", "private, debit", "private, no debit") for name in _SEGMENTS]
)
# coefficients of variation within a segment (recency, time to first extension, revenue):
# tight for the four recent segments, wider for the two long-standing ones
_CV_RECENT = np.array([0.12, 0.08, 0.12])
_CV_OLD = np.array([0.25, 0.20, 0.30])
_CV_GAP = 0.25  # the gap between first and last extension
_FREQ_SHAPE = 2.5  # extension rate ~ mean x Gamma(2.5, 1/2.5): overdispersed Poisson counts
_MAX_EXTENSIONS = 6  # per customer: its max sets the scale of frequency (Table 23, RFM)
_P_NO_EXTENSION = 0.001  # customers of the _FREE segments who joined 1-3 years ago, no extension
_DEBT_TRIALS = 1.25  # times in debt ~ Binomial(ceil(1.25 mean), p): a fifth of Poisson's variance
_MARGIN = (24.0, 12.0, 0.6, 0.75)  # margin = mvc / fees ~ Beta(24, 12) clipped to [0.6, 0.75]
# each segment's share of all north customers relative to its size (Tables 10, 12, 14)
_NORTH_LIFT = np.array([1.213, 1.0, 0.878, 1.0, 0.587, 1.0])
_P_NORTH = 0.005  # customers in the north (rare, so that it does not make clusters of its own)


def _around(rng, mean, size, cv):
    """Positive draws with the given mean and coefficient of variation (scalar or one per
    draw): gamma, clipped to [1 - 2.5 cv, 1 + 2.5 cv] x mean, so that the min-max scale is
    set by the clip (reached by a few customers whatever the seed), not by an outlier."""
    cv = np.asarray(cv, dtype=np.float64)
    shape = 1.0 / cv**2
    return np.clip(rng.gamma(shape, 1.0 / shape, size), 1 - 2.5 * cv, 1 + 2.5 * cv) * mean


def _exactly(rng, rate, group):
    """Boolean mask with, in each group (an int array, one per customer), exactly
    round(rate x the group's size) True, chosen at random (rate: one per group)."""
    mask = np.zeros(len(group), bool)
    rate = np.asarray(rate, dtype=np.float64).reshape(-1)
    for g, r in enumerate(np.broadcast_to(rate, (max(len(rate), int(group.max()) + 1),))):
        members = np.flatnonzero(group == g)
        mask[rng.choice(members, int(round(r * len(members))), replace=False)] = True
    return mask


def _paper_b(cust, is_first, m, end, span, rng):
    """Contract columns (codes, numbers, dates) of the calibrated generator."""
    n = len(cust)
    seg_table = np.array([v for v in _SEGMENTS.values()], dtype=np.float64)
    seg = rng.choice(len(seg_table), size=m, p=seg_table[:, 0] / seg_table[:, 0].sum())
    c_business = seg_table[seg, 1] > 0
    c_debit = seg_table[seg, 2] > 0
    revenue, freq, recency, first_ext, debt = (seg_table[seg, j] for j in range(3, 8))
    # customer traits: extensions, dates (days), revenue, debt
    rate = np.maximum(freq - 1, 0) * rng.gamma(_FREQ_SHAPE, 1.0 / _FREQ_SHAPE, m)
    c_freq = np.minimum(1 + rng.poisson(rate), _MAX_EXTENSIONS)
    cv = np.where(_OLD[seg, None], _CV_OLD, _CV_RECENT)
    c_first_ext = _around(rng, first_ext, m, cv[:, 1])
    c_recency = _around(rng, recency, m, cv[:, 0])
    c_gap = np.where(c_freq > 1, _around(rng, 0.15 * first_ext, m, _CV_GAP), 0.0)
    age = np.minimum(c_first_ext + c_gap + c_recency, span)
    c_recency = np.minimum(c_recency, age)
    c_first_ext = np.minimum(c_first_ext, age - c_recency)
    age, c_recency, c_first_ext = (
        np.floor(v).astype(np.int64) for v in (age, c_recency, c_first_ext)
    )
    # a few recent customers without an extension yet (frequency's min-max scale starts at 0)
    new = (rng.random(m) < _P_NO_EXTENSION) & _FREE[seg]
    c_freq = np.where(new, 0, c_freq)
    age = np.where(new, np.minimum(rng.integers(365, 1096, m), span), age)
    c_first = end - age.astype("timedelta64[D]")
    c_revenue = _around(rng, revenue, m, cv[:, 2])
    trials = np.ceil(debt * _DEBT_TRIALS).astype(np.int64)
    c_debt = rng.binomial(trials, debt / np.maximum(trials, 1))
    north_codes = [i for i, d in enumerate(_DISTRICTS) if d in _NORTH_DISTRICTS]
    south = {d: p for d, p in _DISTRICTS.items() if d not in _NORTH_DISTRICTS}
    south_codes = np.array([i for i, d in enumerate(_DISTRICTS) if d not in _NORTH_DISTRICTS])
    c_north = _exactly(rng, _P_NORTH * _NORTH_LIFT, seg)  # per segment: Tables 10, 12, 14
    c_location = np.where(c_north, rng.choice(north_codes, m), south_codes[_choice(rng, south, m)])
    c_payment = np.where(c_debit, 0, 1 + _choice(rng, dict(list(_PAYMENTS.items())[1:]), m))
    c_invoice = _choice(rng, _INVOICES, m)
    c_debtor = _exactly(rng, _P_DEBTOR, np.zeros(m, np.int64))  # exactly: the kept count

    # contracts: the first one at the customer's first installation, the others later
    room = age[cust]
    offset = np.where(is_first, 0, np.floor(rng.random(n) ** 1.5 * (room + 1)).astype(np.int64))
    installed = c_first[cust] + offset.astype("timedelta64[D]")
    months = (end - installed).astype(np.int64) / (365.25 / 12)
    # the customer's revenue split over its contracts in proportion to their months
    weight = np.maximum(months, 1.0)
    share = weight / np.bincount(cust, weights=weight, minlength=m)[cust]
    mvc = np.round(c_revenue[cust] * share / np.maximum(months, 1.0), 2)
    margin = np.clip(rng.beta(_MARGIN[0], _MARGIN[1], n), _MARGIN[2], _MARGIN[3])
    business = c_business[cust]
    n_private = len(_PRIVATE_PLACES)
    local = np.where(
        business, n_private + _choice(rng, _BUSINESS_PLACES, n), _choice(rng, _PRIVATE_PLACES, n)
    )
    # the extensions and the debt history sit on the customer's first contract
    n_ext = np.where(is_first, c_freq[cust], 0)
    nat = np.datetime64("NaT", "D")
    first_day = c_first[cust] + c_first_ext[cust].astype("timedelta64[D]")
    last_day = end - c_recency[cust].astype("timedelta64[D]")
    # fees = mvc / margin, of which the extensions' share leaves a monthly fee of at least 5
    fees = mvc / margin
    ext_fee = np.round(n_ext * rng.lognormal(np.log(6.0), 0.5, n), 2)
    ext_fee = np.minimum(ext_fee, np.floor(np.maximum(fees - 5.0, 0.0) * 100) / 100)
    monthly = np.round(np.maximum(fees - ext_fee, 5.0), 2)
    install_fee = np.where(
        rng.random(n) < 0.30,
        0.0,
        rng.lognormal(np.log(120.0), 0.6, n) * np.where(business, 1.8, 1.0),
    )
    debt_amount = np.where(is_first, c_debt[cust], 0)
    # outstanding debt: one contract of each debtor for sure, the others often
    flagged = c_debtor[cust] & (is_first | (rng.random(n) < 0.4))
    debt_amount = np.where(flagged, np.maximum(debt_amount, 1), debt_amount)
    time_in_debt = np.where(
        debt_amount > 0, np.round(rng.gamma(np.maximum(debt_amount, 1), 24.0)), 0.0
    )
    cols = {
        "date_installed": installed,
        "location": c_location[cust],
        "contract_type": business.astype(np.int8),
        "local_description": local,
        "payment_type": c_payment[cust],
        "invoice_type": c_invoice[cust],
        "monthly_fee": monthly,
        "installation_fee": np.round(install_fee, 2),
        "extensions_amount": n_ext,
        "extensions_fee": ext_fee,
        "first_extension_date": np.where(n_ext > 0, first_day, nat),
        "last_extension_date": np.where(n_ext > 0, last_day, nat),
        "debt_amount": debt_amount,
        "time_in_debt": time_in_debt.astype(np.float64),
        "mvc": mvc,
        "debt": flagged,
    }
    return cols, c_first


def _customers(n: int, rng):
    """Customer of each of n contracts (about 15.5% of customers hold several),
    whether the contract is its customer's first, and the number of customers."""
    n_cust = int(n / (1 + _P_SEVERAL / _P_GEOM) * 1.05) + 16
    several = rng.random(n_cust) < _P_SEVERAL
    counts = np.where(several, np.minimum(1 + rng.geometric(_P_GEOM, n_cust), 20), 1)
    while counts.sum() < n:  # rare: extend with more customers
        extra = np.where(
            rng.random(n_cust) < _P_SEVERAL, np.minimum(1 + rng.geometric(_P_GEOM, n_cust), 20), 1
        )
        counts = np.concatenate([counts, extra])
    csum = np.cumsum(counts)
    m = int(np.searchsorted(csum, n) + 1)  # customers needed
    counts = counts[:m].copy()
    counts[-1] -= csum[m - 1] - n
    cust = np.repeat(np.arange(m), counts)  # customer of each contract
    first_of = np.concatenate([[0], np.cumsum(counts)[:-1]])
    is_first = np.zeros(n, bool)
    is_first[first_of] = True
    return cust, is_first, m


def _customers_counted(n: int, rng):
    """As `_customers`, with the number of customers and of customers holding several
    contracts fixed by n (not left to chance): m = n / (1 + 0.155 / 0.62) customers,
    round(0.155 m) of them (chosen at random) with 1 + Geometric(0.62) contracts, at
    most 20, nudged by one contract at a time until the counts add up to n."""
    m = max(1, int(round(n / (1 + _P_SEVERAL / _P_GEOM))))
    n_several = min(max(int(round(m * _P_SEVERAL)), int(n > m)), n - m)
    counts = np.ones(m, np.int64)
    if n_several > 0:
        several = rng.choice(m, n_several, replace=False)
        extra = np.minimum(rng.geometric(_P_GEOM, n_several), 19)
        for _ in range(1000):  # each round moves min(|gap|, n_several) contracts
            gap = (n - m) - int(extra.sum())
            if gap == 0:
                break
            room = np.flatnonzero(extra < 19 if gap > 0 else extra > 1)
            pick = rng.choice(room, min(abs(gap), len(room)), replace=False)
            extra[pick] += 1 if gap > 0 else -1
        counts[several] += extra
    cust = np.repeat(np.arange(m), counts)  # customer of each contract
    is_first = np.zeros(len(cust), bool)
    is_first[np.concatenate([[0], np.cumsum(counts)[:-1]])] = True
    return cust, is_first, m


def _frame(cols: dict, cust, c_first, rng, dirty: bool, spare_extensions=False) -> pd.DataFrame:
    """The contracts frame from its columns (codes and numbers): rows in installation
    order, contract ids in that order, customer ids in order of first installation,
    a few rows spoilt."""
    n, m = len(cust), len(c_first)
    order = np.argsort(cols["date_installed"], kind="stable")
    cust_rank = np.empty(m, np.int64)
    cust_rank[np.argsort(c_first, kind="stable")] = np.arange(1, m + 1)
    cols = {
        "contract_id": np.arange(1, n + 1),
        "customer_id": cust_rank[cust][order],
        **{c: v[order] for c, v in cols.items()},
    }
    if dirty and n >= 20:
        _add_dirt(cols, rng, spare_extensions)
    return pd.DataFrame(
        {
            "contract_id": _ids("CT", cols["contract_id"], max(7, len(str(n)))),
            "customer_id": _ids("CU", cols["customer_id"], max(6, len(str(m)))),
            "date_installed": cols["date_installed"].astype("datetime64[ns]"),
            "location": _labels(cols["location"], _DISTRICTS),
            "contract_type": _labels(cols["contract_type"], _CONTRACT_TYPES),
            "local_description": _labels(
                cols["local_description"], [*_PRIVATE_PLACES, *_BUSINESS_PLACES]
            ),
            "payment_type": _labels(cols["payment_type"], _PAYMENTS),
            "invoice_type": _labels(cols["invoice_type"], _INVOICES),
            "monthly_fee": cols["monthly_fee"],
            "installation_fee": cols["installation_fee"],
            "extensions_amount": pd.array(cols["extensions_amount"], dtype="Int64"),
            "extensions_fee": cols["extensions_fee"],
            "first_extension_date": cols["first_extension_date"].astype("datetime64[ns]"),
            "last_extension_date": cols["last_extension_date"].astype("datetime64[ns]"),
            "debt_amount": pd.array(cols["debt_amount"], dtype="Int64"),
            "time_in_debt": cols["time_in_debt"],
            "mvc": cols["mvc"],
            "debt": pd.array(cols["debt"], dtype="boolean"),
        }
    )[list(CONTRACT_COLUMNS)]


def _add_dirt(cols: dict, rng, spare_extensions=False) -> None:
    """Make a few rows invalid, in place (about 0.22% of the rows, at least 7); with
    spare_extensions, only rows without extensions (when there are enough of them)."""
    n = len(cols["contract_id"])
    k = max(7, int(round(n * _DIRTY)))
    if spare_extensions:  # rows without extensions after one without (kinds 5 and 6 copy it)
        none = cols["extensions_amount"] == 0
        pool = np.flatnonzero(none & np.concatenate([[False], none[:-1]]))
    else:
        pool = np.arange(n)
    pool = pool if len(pool) > k else np.arange(n)
    rows = rng.choice(pool, size=min(k + 1, len(pool)), replace=False)
    kinds = np.arange(len(rows)) % 7
    pick = {kind: rows[kinds == kind] for kind in range(7)}
    cols["monthly_fee"][pick[0]] = np.nan
    cols["installation_fee"][pick[1]] = -cols["installation_fee"][pick[1]] - 1.0
    cols["date_installed"][pick[2]] = np.datetime64("NaT")
    # an extension dated 30 days before the installation
    r3 = pick[3]
    early = cols["date_installed"][r3] - np.timedelta64(30, "D")
    last = cols["last_extension_date"][r3]
    cols["first_extension_date"][r3] = early
    cols["last_extension_date"][r3] = np.where(np.isnat(last), early, np.maximum(last, early))
    cols["extensions_amount"][r3] = np.maximum(cols["extensions_amount"][r3], 1)
    cols["contract_type"][pick[4]] = _CONTRACT_TYPES.index("unknown")
    # exact duplicates: a row overwritten by a copy of its predecessor
    r5 = pick[5][pick[5] > 0]
    for values in cols.values():
        values[r5] = values[r5 - 1]
    # conflicting duplicates: a row given the contract id of another row
    r6 = pick[6][pick[6] > 0]
    cols["contract_id"][r6] = cols["contract_id"][r6 - 1]
