"""The sync protocol, version 1: every message a shopper's client and a retailer exchange.

These pydantic models are the contract. The reference server serves them as OpenAPI 3.1
(``docs/openapi.json``) and ``docs/protocol.md`` explains them in prose. Nothing here imports
textual, the vault or an HTTP library, so a retailer's own Python service can use it alone.

Requests are strict (an unknown member is an error, at any depth); answers are lenient (a
member the client does not know is ignored). Suggestions are read item by item with
``parse_suggestions``.

Routes (all JSON; errors ``application/problem+json``)::

    GET    /.well-known/profilekeeper        Discovery
    POST   /v1/links                         LinkRequest     -> LinkCreated (201) | 409 refusal
    PUT    /v1/links/{link_id}/profile       ProfilePut      -> ProfileView
    GET    /v1/links/{link_id}/profile                       -> ProfileView
    GET    /v1/links/{link_id}/suggestions   ?limit&cursor&kind -> SuggestionPage
    POST   /v1/links/{link_id}/feedback      FeedbackRequest -> FeedbackAccepted (202)
    DELETE /v1/links/{link_id}                               -> 204; afterwards 404 or 410
"""

from profilekeeper.sync.protocol._links import (
    Discovery,
    Limits,
    LinkCreated,
    LinkRequest,
    RequiredTerms,
    RetailerInfo,
    Terms,
    terms_under_gpc,
    unmet_terms,
)
from profilekeeper.sync.protocol._parsing import Dropped, ParsedPage, parse_suggestions
from profilekeeper.sync.protocol._profile import (
    SLICE_FAMILIES,
    SLICE_NAME,
    Budget,
    CitySlice,
    ConsentReceipt,
    GreetingSlice,
    InterestItem,
    InterestsSlice,
    PersonInterest,
    PersonSlice,
    ProfilePut,
    ProfileView,
    PurchaseItem,
    PurchasesSlice,
    SliceValue,
    UpcomingOccasion,
    UpcomingOccasionsSlice,
    slice_accepted,
    slice_model,
)
from profilekeeper.sync.protocol._suggestions import (
    AnySuggestion,
    EventSuggestion,
    FeedbackAccepted,
    FeedbackRequest,
    OfferSuggestion,
    ProductSuggestion,
    ReleaseSuggestion,
    Suggestion,
    SuggestionPage,
    VerdictItem,
)
from profilekeeper.sync.protocol._wire import (
    API_VERSION,
    BASE_PATH,
    DEFAULT_PAGE_SIZE,
    DISCOVERY_PATH,
    MAX_PAGE_SIZE,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    MAX_SUGGESTION_PAGES,
    PROBLEM_CONTENT_TYPE,
    AgeBand,
    Currency,
    Money,
    PersonRef,
    Problem,
    Purpose,
    Sentiment,
    ShortText,
    SuggestionKind,
    Token,
    Verdict,
)

__all__ = [
    "API_VERSION",
    "BASE_PATH",
    "DEFAULT_PAGE_SIZE",
    "DISCOVERY_PATH",
    "MAX_PAGE_SIZE",
    "MAX_REQUEST_BYTES",
    "MAX_RESPONSE_BYTES",
    "MAX_SUGGESTION_PAGES",
    "PROBLEM_CONTENT_TYPE",
    "SLICE_FAMILIES",
    "SLICE_NAME",
    "AgeBand",
    "AnySuggestion",
    "Budget",
    "CitySlice",
    "ConsentReceipt",
    "Currency",
    "Discovery",
    "Dropped",
    "EventSuggestion",
    "FeedbackAccepted",
    "FeedbackRequest",
    "GreetingSlice",
    "InterestItem",
    "InterestsSlice",
    "Limits",
    "LinkCreated",
    "LinkRequest",
    "Money",
    "OfferSuggestion",
    "ParsedPage",
    "PersonInterest",
    "PersonRef",
    "PersonSlice",
    "Problem",
    "ProductSuggestion",
    "ProfilePut",
    "ProfileView",
    "PurchaseItem",
    "PurchasesSlice",
    "Purpose",
    "ReleaseSuggestion",
    "RequiredTerms",
    "RetailerInfo",
    "Sentiment",
    "ShortText",
    "SliceValue",
    "Suggestion",
    "SuggestionKind",
    "SuggestionPage",
    "Terms",
    "Token",
    "UpcomingOccasion",
    "UpcomingOccasionsSlice",
    "Verdict",
    "VerdictItem",
    "parse_suggestions",
    "slice_accepted",
    "slice_model",
    "terms_under_gpc",
    "unmet_terms",
]
