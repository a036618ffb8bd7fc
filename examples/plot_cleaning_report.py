"""
What the cleaning dropped: a CleaningReport
===========================================

:func:`segment.load_contracts` drops invalid contracts and records why in a
:class:`segment.CleaningReport`: one reason per dropped row, with the columns at
fault. Here the report of 5,000 deliberately dirty synthetic contracts, as text,
as a table and as a bar chart.
"""

import matplotlib.pyplot as plt

import segment as sg

contracts = sg.load_contracts(sg.datasets.make_contracts(5000, random_state=0))
report = contracts.attrs["cleaning_report"]
print(report)
print(report.to_frame().head(10))

counts = report.counts.drop("kept")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.barh(list(counts.index.astype(str)), counts.to_numpy())
ax.invert_yaxis()
ax.set_xlabel("rows dropped")
ax.set_title(f"{report.n_read} rows read, {report.n_kept} kept")
fig.tight_layout()
