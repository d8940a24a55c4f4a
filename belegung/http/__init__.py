"""HTTP helpers shared by the JSON API and the pages; this package imports no domain code.

`context` is the request's side of a service call (the caller, the clock, the unit of
work), `api` the API's blueprint class, parsers and documentation helpers, `converters`
the URL converters, `errors` the one mapping from errors to answers (JSON for the API,
HTML for pages).
"""
