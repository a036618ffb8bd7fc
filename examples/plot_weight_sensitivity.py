"""
How much does the winner depend on the weights?
===============================================

Weight vectors drawn from a Dirichlet distribution centred on the entropy
weights; the plot shows how often each alternative ranks first, second, ...
"""

import segment as sg

experts = sg.datasets.load_iot_experts()
w = sg.entropy_weights(experts.matrix)
table = sg.vikor_weight_sensitivity(experts.matrix, w, n_samples=2000, random_state=0)
print(table.round(3))
ax = sg.plotting.plot_weight_sensitivity(table)
