"""
RFM against Paper B's multi-variable features
=============================================

The same customers clustered on the classical recency-frequency-monetary triple
and on Paper B's eight features: the best silhouette per K for each feature set.
"""

import matplotlib.pyplot as plt

import segment as sg

contracts = sg.load_contracts(sg.datasets.make_contracts(3000, random_state=0))
customers = sg.customer_features(contracts, as_of="2022-07-12")
table = sg.compare_feature_sets(
    customers,
    {"RFM": sg.RFM_FEATURES, "multi-variable": sg.PAPER_B_FEATURES},
    k=range(2, 8),
    random_state=0,
)
print(table)

per_k = table.drop(index=["total", "average"])
fig, ax = plt.subplots(figsize=(6, 4))
for name in ("RFM", "multi-variable"):
    ax.plot(per_k.index.astype(int), per_k[name], marker="o", label=name)
ax.set_xlabel("K (number of clusters)")
ax.set_ylabel("mean silhouette")
ax.set_title("RFM against Paper B's features")
ax.legend()
