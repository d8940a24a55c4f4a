"""The housing-reserve programme (Wohnraumvorhalteprogramm): apartments, households, placements."""
