"""
Cluster profiles of customers
=============================

Paper B's features for synthetic customers, clustered with k-means; the profile
shows each cluster's mean feature relative to the whole population.
"""

import segment as sg

contracts = sg.load_contracts(sg.datasets.make_contracts(3000, random_state=0))
customers = sg.customer_features(contracts, as_of="2022-07-12")
X = sg.minmax_scale(customers[sg.PAPER_B_FEATURES])
labels = sg.kmeans(X, 4, n_init=4, random_state=0).labels
profile = sg.profile_clusters(customers, labels)
print(profile.round(2))
ax = sg.plotting.plot_profile(profile)
