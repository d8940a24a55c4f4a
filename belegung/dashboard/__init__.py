"""The managers' dashboard: tonight, occupancy over time, turn-aways and no-shows, the
winter emergency and the housing programme's headline figures, gathered from the domains'
operations (it owns no tables)."""
