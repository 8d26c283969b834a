"""The world model: law sets compiled into a Pyro program, fitted, scored and sampled.

Not built yet: it arrives with the world-model issue (see the README's status table).
"""
