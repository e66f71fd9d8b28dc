"""The protocol's bounds on a suggestion's members (docs/protocol.md, "Limits on suggestions").

Plain constants, apart from the pydantic models that enforce them (protocol/_suggestions.py),
so the suggestions pipeline, which holds stored items to the same caps at read time, loads
without pydantic (``remind`` lists releases through it: its start-up is a feature).
"""

MAX_ID = 200
MAX_TITLE = 300
MAX_CREATORS = 20
MAX_CREATOR = 120
MAX_CATEGORY = 40
MAX_TAGS = 20
MAX_TAG = 40
MAX_URL = 2000
MAX_REASON = 500
MAX_CITY = 80
MAX_VENUE = 120
MAX_CURSOR = 1000
