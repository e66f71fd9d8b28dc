"""The profilekeeper sync protocol for retailers: wire models, the reference server, a checker.

``from profilekeeper.sync import ProfilePut, Suggestion, ...`` needs only pydantic. The
reference server lives in ``profilekeeper.sync.server`` (FastAPI, SQLModel) and the conformance
checker in ``profilekeeper.sync.conformance`` (httpx); neither is imported from here.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from profilekeeper.sync.protocol import (
        API_VERSION,
        BASE_PATH,
        DEFAULT_PAGE_SIZE,
        DISCOVERY_PATH,
        MAX_PAGE_SIZE,
        MAX_REQUEST_BYTES,
        MAX_RESPONSE_BYTES,
        MAX_SUGGESTION_PAGES,
        PROBLEM_CONTENT_TYPE,
        SLICE_FAMILIES,
        SLICE_NAME,
        AnySuggestion,
        Budget,
        CitySlice,
        ConsentReceipt,
        Discovery,
        Dropped,
        EventSuggestion,
        FeedbackAccepted,
        FeedbackRequest,
        GreetingSlice,
        InterestItem,
        InterestsSlice,
        Limits,
        LinkCreated,
        LinkRequest,
        OfferSuggestion,
        ParsedPage,
        PersonInterest,
        PersonSlice,
        Problem,
        ProductSuggestion,
        ProfilePut,
        ProfileView,
        PurchaseItem,
        PurchasesSlice,
        ReleaseSuggestion,
        RequiredTerms,
        RetailerInfo,
        SliceValue,
        Suggestion,
        SuggestionPage,
        Terms,
        UpcomingOccasion,
        UpcomingOccasionsSlice,
        VerdictItem,
        parse_suggestions,
        slice_accepted,
        slice_model,
        terms_under_gpc,
        unmet_terms,
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
    "Budget",
    "CitySlice",
    "ConsentReceipt",
    "AnySuggestion",
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
    "OfferSuggestion",
    "ParsedPage",
    "PersonInterest",
    "PersonSlice",
    "Problem",
    "ProductSuggestion",
    "ProfilePut",
    "ProfileView",
    "PurchaseItem",
    "PurchasesSlice",
    "ReleaseSuggestion",
    "RequiredTerms",
    "RetailerInfo",
    "SliceValue",
    "Suggestion",
    "SuggestionPage",
    "Terms",
    "UpcomingOccasion",
    "UpcomingOccasionsSlice",
    "VerdictItem",
    "parse_suggestions",
    "slice_accepted",
    "slice_model",
    "terms_under_gpc",
    "unmet_terms",
]


def __getattr__(name: str) -> object:
    """The wire models are imported when one is first asked for, not with the package: the
    plain modules under sync/ (sanitize, refs, suggestion_limits) load without pydantic."""
    if name in __all__:
        from profilekeeper.sync import protocol

        return getattr(protocol, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
