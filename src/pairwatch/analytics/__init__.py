"""Pure statistics of a metric pair: no I/O, clock, logging or globals.

panel (alignment, changes, window), stats ([stats], [changes]), leadlag, regimes,
rolling (the 60-change rolling OLS), divergence and hedge; every public function returns
numbers or frozen result objects (STATISTICS.md has the definitions).
"""
