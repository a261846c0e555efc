"""Open311 GeoReport v2: the city's service requests for standard clients (docs/open311.md)."""
