"""
VIKOR: Q against v
==================

Paper A's Table 2 (IoT platforms scored by experts), entropy weights, and the
compromise index Q of every alternative as the weight v of the group utility S
against the individual regret R goes from 1 to 0.1 (Opricovic and Tzeng 2004).
"""

import segment as sg

experts = sg.datasets.load_iot_experts()
w = sg.entropy_weights(experts.matrix)
sensitivity = sg.vikor_sensitivity(experts.matrix, w)
print(sensitivity.to_frame().round(3))
ax = sg.plotting.plot_vikor_q(sensitivity)
