"""Which definitions file (fixtures/definitions/url/) each seed Web link answers.

Shared by the API tests (test_definitions.py) and the CLI tests (test_cli_definitions.py),
so that both walk the same seeds against the same definitions.
"""

SEED_LINKS = {
    "D1": "employee-values",
    "D5": "region-date-values",
    "D2": "state-elements",
    "D3": "state-elements",
    "D4": "distribution-center-elements",
    "D6": "metric-attribute-objects",
    "D7": "metric-attribute-objects",
    "S1": "metric-attribute-objects",
    "S2": "metric-attribute-objects",
    "S3": "metric-attribute-objects",
    "D9": "subscription-optional",
}
