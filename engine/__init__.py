"""Lawsmith's workflows, tying the environment, the law language and the world model together.

Built: ``engine.scenarios``, ``engine.distractors``, ``engine.metrics``, ``engine.calibration``,
``engine.baselines`` / ``engine.models`` and ``engine.evaluate`` (the evaluation protocol), and
``engine.fitting`` (law files + trace -> saved world model). The README's status table lists what
is still to come.
"""
